//! A small X API v2 client: a bearer user token (refreshed when it expires), the
//! `x-rate-limit-*` and 24-hour user-limit headers, and X's error bodies — problem JSON
//! (RFC 7807), the older `{"errors":[{"code","message"}]}`, or plain text — turned into what
//! the sync engine acts on. Partial errors next to `data` are logged, the data kept.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::auth::{self, App, Session};
use crate::clock::SharedClock;
use crate::config::Secret;
use crate::networks::http::{read_body, transport_error};
use crate::networks::{NetworkError, NetworkResult};

/// How errors name the server.
const SERVER: &str = "the X API";

/// The API's address.
pub const DEFAULT_API_BASE: &str = "https://api.x.com";

/// How hark proves who it is.
pub enum Credentials {
    /// A user access token given as it is (from the config's token reference): used until
    /// refused.
    Fixed(Secret),
    /// A signed-in session, refreshed when it expires and written back to its file.
    Session(Box<SignedIn>),
}

/// A signed-in session and what refreshing it takes.
pub struct SignedIn {
    pub app: App,
    /// Where the session is kept (None: memory only).
    pub file: Option<PathBuf>,
    pub session: tokio::sync::Mutex<Session>,
}

impl Credentials {
    pub fn signed_in(app: App, file: Option<PathBuf>, session: Session) -> Credentials {
        Credentials::Session(Box::new(SignedIn {
            app,
            file,
            session: tokio::sync::Mutex::new(session),
        }))
    }
}

pub struct XClient {
    http: reqwest::Client,
    base: String,
    credentials: Credentials,
    clock: SharedClock,
    /// Endpoints whose window is used up, with when it resets: asked again only after.
    exhausted: Mutex<HashMap<&'static str, DateTime<Utc>>>,
}

impl XClient {
    pub fn new(base: &str, credentials: Credentials, clock: SharedClock) -> NetworkResult<XClient> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(NetworkError::Rejected(format!(
                "'{base}' is not an http(s) address of the X API"
            )));
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("hark/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|err| {
                NetworkError::Transient(format!("cannot start an HTTP client: {err}"))
            })?;
        Ok(XClient {
            http,
            base,
            credentials,
            clock,
            exhausted: Mutex::new(HashMap::new()),
        })
    }

    /// A GET of `path` (under `/2`). `endpoint` names its rate-limit window.
    pub async fn get(
        &self,
        endpoint: &'static str,
        path: &str,
        query: &[(&str, String)],
    ) -> NetworkResult<Value> {
        let bytes = self
            .request(endpoint, Method::GET, path, query, None)
            .await?;
        json_of(endpoint, &bytes)
    }

    /// A GET of `path` answering the body as it came, for a caller that reads it its own way.
    pub async fn get_body(
        &self,
        endpoint: &'static str,
        path: &str,
        query: &[(&str, String)],
    ) -> NetworkResult<Vec<u8>> {
        self.request(endpoint, Method::GET, path, query, None).await
    }

    /// A write (POST, PUT, DELETE) with an optional JSON body.
    pub async fn send(
        &self,
        endpoint: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> NetworkResult<Value> {
        let bytes = self.request(endpoint, method, path, &[], body).await?;
        json_of(endpoint, &bytes)
    }

    /// Sends a request (a refused token is refreshed once) and answers a successful answer's
    /// body; a used-up rate-limit window and unsuccessful answers are errors.
    async fn request(
        &self,
        endpoint: &'static str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> NetworkResult<Vec<u8>> {
        let now = self.clock.now();
        if let Some(reset) = self.reset_of(endpoint)
            && reset > now
        {
            return Err(NetworkError::RateLimited {
                retry_after: None,
                reset_at: Some(reset),
            });
        }
        let url = format!("{}/2{path}", self.base);
        let mut refreshed = false;
        loop {
            let token = self.bearer(false).await?;
            let mut request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(token.expose())
                .query(query);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .map_err(|err| transport_error(err, SERVER))?;
            let status = response.status();
            let headers = response.headers().clone();
            self.note_limits(endpoint, &headers);
            let bytes = read_body(response, SERVER).await?;
            if status == StatusCode::UNAUTHORIZED && !refreshed && self.can_refresh() {
                // The token may have expired early or been revoked: one refresh, one retry.
                refreshed = true;
                self.bearer(true).await?;
                continue;
            }
            if !status.is_success() {
                return Err(error_for(status, &headers, &bytes, self.clock.now()));
            }
            return Ok(bytes);
        }
    }

    fn reset_of(&self, endpoint: &'static str) -> Option<DateTime<Utc>> {
        self.exhausted
            .lock()
            .ok()
            .and_then(|map| map.get(endpoint).copied())
    }

    /// Remembers a used-up window (`x-rate-limit-remaining: 0`) until it resets.
    fn note_limits(&self, endpoint: &'static str, headers: &HeaderMap) {
        let remaining = header_number(headers, "x-rate-limit-remaining");
        let reset = header_number(headers, "x-rate-limit-reset")
            .and_then(|secs| DateTime::from_timestamp(secs, 0));
        if let Ok(mut map) = self.exhausted.lock() {
            match (remaining, reset) {
                (Some(0), Some(reset)) => {
                    map.insert(endpoint, reset);
                }
                (Some(_), _) => {
                    map.remove(endpoint);
                }
                _ => {}
            }
        }
    }

    fn can_refresh(&self) -> bool {
        matches!(self.credentials, Credentials::Session(_))
    }

    /// The access token, refreshed first when it is about to expire (or `force`d).
    async fn bearer(&self, force: bool) -> NetworkResult<Secret> {
        match &self.credentials {
            Credentials::Fixed(token) => Ok(Secret::new(token.expose().to_owned())),
            Credentials::Session(signed_in) => {
                let SignedIn { app, file, session } = signed_in.as_ref();
                let mut current = session.lock().await;
                let now = self.clock.now();
                if force || current.expiring(now) {
                    let renewed = auth::refresh(app, &current, now).await?;
                    if let Some(file) = file
                        && let Err(err) = renewed.save(file)
                    {
                        // The old refresh token no longer works: say so loudly.
                        tracing::error!(%err, file = %file.display(), "could not keep the refreshed X session");
                    }
                    *current = renewed;
                }
                Ok(Secret::new(current.access_token.clone()))
            }
        }
    }
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<i64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn header_time(headers: &HeaderMap, name: &str) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(header_number(headers, name)?, 0)
}

/// An error answer in the sync engine's terms, with X's own words where it gave any.
pub fn error_for(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> NetworkError {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let problem = json.as_ref().map(problem_text).filter(|t| !t.is_empty());
    let said = problem.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let text = crate::text::sanitize_line(text.trim());
        match text.chars().count() {
            0 => status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_owned(),
            n if n > 200 => text.chars().take(200).collect::<String>() + "…",
            _ => text,
        }
    });
    let problem_type = json
        .as_ref()
        .and_then(|j| {
            j["type"]
                .as_str()
                .or(j["errors"][0]["type"].as_str())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    match status {
        StatusCode::TOO_MANY_REQUESTS => {
            // The 24-hour user limit on writes, the 15-minute window, or a usage cap.
            let daily_used_up = header_number(headers, "x-user-limit-24hour-remaining") == Some(0);
            let reset_at = if daily_used_up {
                header_time(headers, "x-user-limit-24hour-reset")
            } else {
                header_time(headers, "x-rate-limit-reset")
            };
            let capped = problem_type.contains("usage-capped");
            NetworkError::RateLimited {
                retry_after: match (reset_at, capped) {
                    (Some(_), _) => None,
                    (None, true) => Some(Duration::from_secs(60 * 60)),
                    (None, false) => Some(Duration::from_secs(15 * 60)),
                },
                reset_at: reset_at.filter(|at| *at > now),
            }
        }
        StatusCode::UNAUTHORIZED => NetworkError::Auth(said),
        status if status.is_server_error() => {
            NetworkError::Transient(format!("{SERVER} failed ({status}): {said}"))
        }
        _ => NetworkError::Rejected(format!("{SERVER} refused ({}): {said}", status.as_u16())),
    }
}

/// The words of a problem answer: top-level `detail`/`title`, or the first of `errors`.
fn problem_text(json: &Value) -> String {
    let pick = |v: &Value| {
        v["detail"]
            .as_str()
            .or(v["message"].as_str())
            .or(v["title"].as_str())
            .map(crate::text::sanitize_line)
    };
    pick(json)
        .or_else(|| json["errors"].as_array()?.first().and_then(pick))
        .unwrap_or_default()
}

/// A successful answer's JSON (`null` for an empty body).
fn json_of(endpoint: &'static str, bytes: &[u8]) -> NetworkResult<Value> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let answer: Value = serde_json::from_slice(bytes).map_err(|err| invalid_json(&err))?;
    if let Some(errors) = answer["errors"].as_array()
        && answer.get("data").is_some()
    {
        // e.g. a referenced post that was deleted: the rest of the answer is good.
        tracing::debug!(
            endpoint,
            partial = errors.len(),
            "partial errors next to data"
        );
    }
    Ok(answer)
}

/// The error for an answer that is not the JSON it should be.
pub fn invalid_json(err: &serde_json::Error) -> NetworkError {
    NetworkError::Malformed(format!("{SERVER} answered with invalid JSON: {err}"))
}
