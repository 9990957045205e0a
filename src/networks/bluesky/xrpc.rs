//! XRPC over HTTP with an app-password session: log in once, keep the session (in a file only
//! its owner can read), refresh it with the refresh token when the access token expires, and
//! log in again only when the refresh token is refused. The PDS named in the account's DID
//! document answers every later call.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::config::Secret;
use crate::networks::{NetworkError, NetworkResult};

/// A logged-in session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub did: String,
    pub handle: String,
    #[serde(rename = "accessJwt")]
    pub access: String,
    #[serde(rename = "refreshJwt")]
    pub refresh: String,
    /// Where the account's repository lives (from the DID document); the service otherwise.
    #[serde(default)]
    pub pds: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SessionAnswer {
    did: String,
    handle: String,
    #[serde(rename = "accessJwt")]
    access: String,
    #[serde(rename = "refreshJwt")]
    refresh: String,
    #[serde(default, rename = "didDoc")]
    did_doc: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct XrpcError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: Option<String>,
}

pub struct Xrpc {
    http: reqwest::Client,
    /// The entryway or PDS the person gave (`service` in the config).
    service: String,
    identifier: String,
    password: Secret,
    /// Where the session is kept between runs (None: memory only).
    session_file: Option<PathBuf>,
    session: Mutex<Option<Session>>,
}

impl Xrpc {
    pub fn new(
        service: &str,
        identifier: &str,
        password: Secret,
        session_file: Option<PathBuf>,
    ) -> NetworkResult<Xrpc> {
        let service = service.trim_end_matches('/').to_owned();
        if !(service.starts_with("http://") || service.starts_with("https://")) {
            return Err(NetworkError::Rejected(format!(
                "'{service}' is not an http(s) address of a Bluesky service"
            )));
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("hark/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|err| NetworkError::Transient(err.to_string()))?;
        let stored = session_file
            .as_ref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| serde_json::from_str::<Session>(&text).ok());
        Ok(Xrpc {
            http,
            service,
            identifier: identifier.trim_start_matches('@').to_owned(),
            password,
            session_file,
            session: Mutex::new(stored),
        })
    }

    /// The session, logging in when there is none.
    pub async fn session(&self) -> NetworkResult<Session> {
        let mut guard = self.session.lock().await;
        if let Some(session) = guard.as_ref() {
            return Ok(session.clone());
        }
        let session = self.login().await?;
        self.keep(&mut guard, session.clone());
        Ok(session)
    }

    /// `com.atproto.server.createSession` with the app password (rate-limited hard by servers:
    /// used only when there is no session to refresh).
    pub async fn login(&self) -> NetworkResult<Session> {
        let body = serde_json::json!({ "identifier": self.identifier, "password": self.password.expose() });
        let url = format!("{}/xrpc/com.atproto.server.createSession", self.service);
        let response = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(transport)?;
        let answer: SessionAnswer = read(response).await.map_err(|err| match err {
            NetworkError::Auth(message) | NetworkError::Rejected(message) => NetworkError::Auth(
                format!("logging in as {} failed: {message}", self.identifier),
            ),
            other => other,
        })?;
        Ok(Session {
            pds: answer.did_doc.as_ref().and_then(pds_endpoint),
            did: answer.did,
            handle: answer.handle,
            access: answer.access,
            refresh: answer.refresh,
        })
    }

    /// `com.atproto.server.refreshSession`: new tokens from the refresh token.
    pub async fn refresh(&self) -> NetworkResult<Session> {
        let mut guard = self.session.lock().await;
        let Some(current) = guard.clone() else {
            drop(guard);
            return self.session().await;
        };
        let url = format!(
            "{}/xrpc/com.atproto.server.refreshSession",
            current.pds.as_deref().unwrap_or(&self.service)
        );
        let response = self
            .http
            .post(&url)
            .bearer_auth(&current.refresh)
            .send()
            .await
            .map_err(transport)?;
        let session = match read::<SessionAnswer>(response).await {
            Ok(answer) => Session {
                pds: answer
                    .did_doc
                    .as_ref()
                    .and_then(pds_endpoint)
                    .or(current.pds),
                did: answer.did,
                handle: answer.handle,
                access: answer.access,
                refresh: answer.refresh,
            },
            // The refresh token is spent or revoked: log in again with the app password.
            Err(NetworkError::Auth(_) | NetworkError::Rejected(_)) => self.login().await?,
            Err(other) => return Err(other),
        };
        self.keep(&mut guard, session.clone());
        Ok(session)
    }

    fn keep(&self, slot: &mut Option<Session>, session: Session) {
        if let Some(path) = &self.session_file
            && let Ok(text) = serde_json::to_string(&session)
            && let Err(err) = write_private(path, &text)
        {
            tracing::warn!(%err, "could not keep the Bluesky session");
        }
        *slot = Some(session);
    }

    /// A query (GET) to the account's PDS.
    pub async fn query<T: DeserializeOwned>(
        &self,
        nsid: &str,
        params: &[(&str, String)],
    ) -> NetworkResult<T> {
        self.call(Method::GET, nsid, params, None, None).await
    }

    /// A procedure (POST with a JSON body) to the account's PDS.
    pub async fn procedure<T: DeserializeOwned>(
        &self,
        nsid: &str,
        body: &serde_json::Value,
    ) -> NetworkResult<T> {
        self.call(Method::POST, nsid, &[], Some(body), None).await
    }

    /// A call the PDS passes on to another service (`atproto-proxy`), e.g. the chat service.
    pub async fn proxied<T: DeserializeOwned>(
        &self,
        method: Method,
        nsid: &str,
        params: &[(&str, String)],
        body: Option<&serde_json::Value>,
        proxy: &str,
    ) -> NetworkResult<T> {
        self.call(method, nsid, params, body, Some(proxy)).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        nsid: &str,
        params: &[(&str, String)],
        body: Option<&serde_json::Value>,
        proxy: Option<&str>,
    ) -> NetworkResult<T> {
        let mut session = self.session().await?;
        for attempt in 0..2 {
            let base = session.pds.as_deref().unwrap_or(&self.service);
            let mut request = self
                .http
                .request(method.clone(), format!("{base}/xrpc/{nsid}"))
                .query(params)
                .bearer_auth(&session.access);
            if let Some(body) = body {
                request = request.json(body);
            }
            if let Some(proxy) = proxy {
                request = request.header("atproto-proxy", proxy);
            }
            let response = request.send().await.map_err(transport)?;
            match read(response).await {
                Err(NetworkError::Auth(message))
                    if attempt == 0 && message.contains("ExpiredToken") =>
                {
                    session = self.refresh().await?;
                }
                result => {
                    tracing::debug!(%nsid, ok = result.is_ok(), "bluesky");
                    return result;
                }
            }
        }
        Err(NetworkError::Auth(format!(
            "{nsid}: the session could not be renewed"
        )))
    }
}

/// The PDS URL in a DID document: the `#atproto_pds` service.
fn pds_endpoint(did_doc: &serde_json::Value) -> Option<String> {
    did_doc["service"].as_array()?.iter().find_map(|service| {
        let id = service["id"].as_str()?;
        (id.ends_with("#atproto_pds")).then(|| {
            service["serviceEndpoint"]
                .as_str()
                .map(|s| s.trim_end_matches('/').to_owned())
        })?
    })
}

async fn read<T: DeserializeOwned>(response: reqwest::Response) -> NetworkResult<T> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = crate::networks::http::read_body(response, "the Bluesky service").await?;
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map_err(|err| NetworkError::Malformed(err.to_string()));
    }
    let error: XrpcError = serde_json::from_slice(&body).unwrap_or(XrpcError {
        error: String::new(),
        message: None,
    });
    let text = match (&error.message, error.error.is_empty()) {
        (Some(message), false) => format!("{}: {message}", error.error),
        (Some(message), true) => message.clone(),
        (None, false) => error.error.clone(),
        (None, true) => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    Err(match (status, error.error.as_str()) {
        (StatusCode::TOO_MANY_REQUESTS, _) | (_, "RateLimitExceeded") => {
            NetworkError::RateLimited {
                retry_after: None,
                reset_at: reset(&headers),
            }
        }
        (_, "ExpiredToken" | "InvalidToken" | "AuthenticationRequired" | "AuthMissing")
        | (StatusCode::UNAUTHORIZED, _) => NetworkError::Auth(text),
        (s, _) if s.is_server_error() => {
            NetworkError::Transient(format!("the server answered {}: {text}", s.as_u16()))
        }
        (s, _) => NetworkError::Rejected(format!("the server answered {}: {text}", s.as_u16())),
    })
}

/// `ratelimit-reset` is a Unix time in seconds.
fn reset(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let seconds = headers
        .get("ratelimit-reset")?
        .to_str()
        .ok()?
        .parse::<i64>()
        .ok()?;
    Utc.timestamp_opt(seconds, 0).single()
}

fn transport(err: reqwest::Error) -> NetworkError {
    NetworkError::Transient(format!(
        "cannot reach the Bluesky service: {}",
        err.without_url()
    ))
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}
