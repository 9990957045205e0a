//! What every network's HTTP client shares: reading an answer with a size cap, and naming a
//! transport failure without its URL (URLs may carry ids or, on the Graph API, tokens).

use crate::networks::{NetworkError, NetworkResult};

/// The largest answer hark reads from any server (a page of items is well under a megabyte),
/// so that no server can make hark hold an unbounded amount of memory.
pub const MAX_BODY: usize = 16_000_000;

/// The answer's body, refused past [`MAX_BODY`] bytes. `whom` names the server in errors
/// ("the server", "the Graph API").
pub async fn read_body(mut response: reqwest::Response, whom: &str) -> NetworkResult<Vec<u8>> {
    let too_large = || {
        NetworkError::Malformed(format!(
            "the answer is larger than {} MB",
            MAX_BODY / 1_000_000
        ))
    };
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BODY as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| transport_error(err, whom))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A failed request as a retryable error, saying what went wrong and with whom.
pub fn transport_error(err: reqwest::Error, whom: &str) -> NetworkError {
    let kind = if err.is_timeout() {
        format!("{whom} did not answer in time")
    } else if err.is_connect() {
        format!("cannot connect to {whom}")
    } else if err.is_body() || err.is_decode() {
        "the answer was cut off".to_owned()
    } else {
        "the request failed".to_owned()
    };
    NetworkError::Transient(format!("{kind}: {}", err.without_url()))
}
