//! Exit codes scripts can rely on.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | an error not listed below (database, I/O, network setup) |
//! | 2 | wrong arguments |
//! | 3 | the config file is wrong (the message names file, line and key) |
//! | 4 | no such conversation, message or account |
//! | 5 | the reply or like is queued but not delivered yet; `hark sync` will retry it |
//! | 6 | the reply or like was refused for good (the reason is printed) |
//! | 7 | your role on this team box does not allow it (an admin's task) |

use std::process::ExitCode;

use crate::config::ConfigError;
use crate::store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Ok = 0,
    Error = 1,
    Usage = 2,
    Config = 3,
    NotFound = 4,
    Queued = 5,
    Refused = 6,
    Forbidden = 7,
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> ExitCode {
        ExitCode::from(code as u8)
    }
}

/// The exit code for an error, by what went wrong.
pub fn code_for(err: &anyhow::Error) -> Code {
    for cause in err.chain() {
        if cause.downcast_ref::<ConfigError>().is_some() {
            return Code::Config;
        }
        if let Some(StoreError::NotFound { .. }) = cause.downcast_ref::<StoreError>() {
            return Code::NotFound;
        }
        if let Some(StoreError::Rejected(_)) = cause.downcast_ref::<StoreError>() {
            return Code::Usage;
        }
        if cause.downcast_ref::<UsageError>().is_some() {
            return Code::Usage;
        }
        if cause.downcast_ref::<NotFoundError>().is_some() {
            return Code::NotFound;
        }
        if cause.downcast_ref::<ForbiddenError>().is_some() {
            return Code::Forbidden;
        }
    }
    Code::Error
}

/// Arguments that parse but make no sense (an unknown folder name, say).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Something named on the command line that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotFoundError(pub String);

/// Something only an admin of the team box may do.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ForbiddenError(pub String);
