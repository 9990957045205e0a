//! Where an account's secret (token, app password) comes from. The config file only ever holds
//! a reference: an environment variable, a command that prints the secret (a password manager),
//! or a file that only its owner can read.

use std::fmt;
use std::path::PathBuf;
use std::process::Command;

/// A reference to a secret, as written in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    Env(String),
    Command(String),
    File(PathBuf),
}

/// A secret's value. Never printed: `Debug` and `Display` show a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret obtained some other way (a sign-in that just returned a token).
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the environment variable {0} is not set")]
    EnvMissing(String),
    #[error("the command `{command}` could not be run: {message}")]
    CommandFailed { command: String, message: String },
    #[error("cannot read the secrets file {path}: {source}")]
    FileRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the secrets file {path} can be read by other users (mode {mode:04o}); \
         run `chmod 600 {path}` so that only you can read it"
    )]
    FileTooOpen { path: PathBuf, mode: u32 },
    #[error("{0} gave an empty secret")]
    Empty(String),
}

impl SecretRef {
    /// Where the secret lives, in words safe to show and to store.
    pub fn describe(&self) -> String {
        match self {
            SecretRef::Env(var) => format!("env:{var}"),
            SecretRef::Command(command) => format!("cmd:{command}"),
            SecretRef::File(path) => format!("file:{}", path.display()),
        }
    }

    /// Reads the secret now.
    pub fn resolve(&self) -> Result<Secret, SecretError> {
        let value = match self {
            SecretRef::Env(var) => {
                std::env::var(var).map_err(|_| SecretError::EnvMissing(var.clone()))?
            }
            SecretRef::Command(command) => run_command(command)?,
            SecretRef::File(path) => read_private_file(path)?,
        };
        let value = value.trim().to_owned();
        if value.is_empty() {
            return Err(SecretError::Empty(self.describe()));
        }
        Ok(Secret(value))
    }
}

fn run_command(command: &str) -> Result<String, SecretError> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|err| SecretError::CommandFailed {
            command: command.to_owned(),
            message: err.to_string(),
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first_line = stderr.lines().next().unwrap_or("").trim();
        return Err(SecretError::CommandFailed {
            command: command.to_owned(),
            message: format!("{} {first_line}", output.status).trim().to_owned(),
        });
    }
    String::from_utf8(output.stdout).map_err(|_| SecretError::CommandFailed {
        command: command.to_owned(),
        message: "its output is not UTF-8 text".into(),
    })
}

fn read_private_file(path: &PathBuf) -> Result<String, SecretError> {
    let read_error = |source| SecretError::FileRead {
        path: path.clone(),
        source,
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(read_error)?
            .permissions()
            .mode()
            & 0o7777;
        if mode & 0o077 != 0 {
            return Err(SecretError::FileTooOpen {
                path: path.clone(),
                mode,
            });
        }
    }
    std::fs::read_to_string(path).map_err(read_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_variable_is_named() {
        let err = SecretRef::Env("HARK_TEST_SURELY_UNSET_VARIABLE".into())
            .resolve()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the environment variable HARK_TEST_SURELY_UNSET_VARIABLE is not set"
        );
    }

    #[test]
    fn a_command_prints_the_secret_and_a_failing_one_says_why() {
        let secret = SecretRef::Command("printf ' tok-123 \\n'".into())
            .resolve()
            .unwrap();
        assert_eq!(secret.expose(), "tok-123");
        assert_eq!(format!("{secret:?}"), "Secret(…)");
        let err = SecretRef::Command("echo locked >&2; exit 3".into())
            .resolve()
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("exit status: 3") && text.contains("locked"),
            "{text}"
        );
        let empty = SecretRef::Command("true".into()).resolve().unwrap_err();
        assert_eq!(empty.to_string(), "cmd:true gave an empty secret");
    }

    #[cfg(unix)]
    #[test]
    fn a_secrets_file_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cret\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = SecretRef::File(path.clone()).resolve().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("mode 0644"), "{text}");
        assert!(
            text.contains(&format!("chmod 600 {}", path.display())),
            "{text}"
        );

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(SecretRef::File(path).resolve().unwrap().expose(), "s3cret");
    }
}
