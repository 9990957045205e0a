//! A small client for Meta's Graph API (Facebook Pages, Messenger, Instagram): a pinned version,
//! cursor paging by the `next` URLs the API gives, usage headers and error codes mapped to what
//! the sync engine acts on. Access tokens are never logged: paging URLs carry them, so every URL
//! is redacted before it reaches a log line or an error message.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::Value;

use super::usage::{DEFAULT_PAUSE, Usage};
use crate::clock::SharedClock;
use crate::config::Secret;
use crate::networks::http::{read_body, transport_error};
use crate::networks::{NetworkError, NetworkResult};

/// How errors name the Graph API.
const GRAPH: &str = "the Graph API";

/// The Graph API version hark is written against; `graph_version` in the config overrides it.
pub const DEFAULT_VERSION: &str = "v21.0";
pub const DEFAULT_API_BASE: &str = "https://graph.facebook.com";

/// How many times a read is tried before its error goes to the sync (which backs off).
const GET_TRIES: usize = 3;

pub struct GraphClient {
    http: reqwest::Client,
    /// `{api_base}/{version}`, without a trailing slash.
    base: String,
    token: Secret,
    clock: SharedClock,
    /// No call before this time: the usage headers or a throttling error said to wait.
    paused_until: Mutex<Option<DateTime<Utc>>>,
}

impl GraphClient {
    pub fn new(
        api_base: &str,
        version: &str,
        token: Secret,
        clock: SharedClock,
    ) -> NetworkResult<GraphClient> {
        let api_base = api_base.trim_end_matches('/');
        reqwest::Url::parse(api_base)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| {
                NetworkError::Rejected(format!("'{api_base}' is not an http(s) address"))
            })?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("hark/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|err| {
                NetworkError::Transient(format!("cannot start an HTTP client: {err}"))
            })?;
        Ok(GraphClient {
            http,
            base: format!("{api_base}/{}", version.trim_matches('/')),
            token,
            clock,
            paused_until: Mutex::new(None),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    /// A GET of a node or edge, tried again at once (twice at most) on a cut-off answer or a
    /// server error: reading is safe to repeat.
    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> NetworkResult<Value> {
        let url = self.url(path);
        let mut tries = 0;
        loop {
            tries += 1;
            match self.send(Method::GET, &url, query, None).await {
                Err(NetworkError::Transient(_) | NetworkError::Malformed(_))
                    if tries < GET_TRIES =>
                {
                    continue;
                }
                result => return result,
            }
        }
    }

    /// Follows a `paging.next` URL as the API gave it (it must point at the same API).
    pub async fn get_url(&self, url: &str) -> NetworkResult<Value> {
        let api_root = self
            .base
            .rsplit_once('/')
            .map_or(self.base.as_str(), |(root, _)| root);
        if !url.starts_with(api_root) {
            return Err(NetworkError::Malformed(format!(
                "a paging link points at another host: {}",
                redact(url)
            )));
        }
        self.send(Method::GET, url, &[], None).await
    }

    /// A POST with form fields (how the Graph API takes most writes).
    pub async fn post_form(&self, path: &str, form: &[(&str, String)]) -> NetworkResult<Value> {
        self.send(Method::POST, &self.url(path), &[], Some(Body::Form(form)))
            .await
    }

    /// A POST with a JSON body (the Send API).
    pub async fn post_json(&self, path: &str, body: &Value) -> NetworkResult<Value> {
        self.send(Method::POST, &self.url(path), &[], Some(Body::Json(body)))
            .await
    }

    pub async fn delete(&self, path: &str) -> NetworkResult<Value> {
        self.send(Method::DELETE, &self.url(path), &[], None).await
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<Body<'_>>,
    ) -> NetworkResult<Value> {
        self.check_pause()?;
        let mut request = self
            .http
            .request(method.clone(), url)
            .query(query)
            .bearer_auth(self.token.expose());
        match body {
            Some(Body::Form(form)) => request = request.form(form),
            Some(Body::Json(json)) => request = request.json(json),
            None => {}
        }
        let response = request
            .send()
            .await
            .map_err(|err| transport_error(err, GRAPH))?;
        let status = response.status();
        let usage = Usage::from_headers(response.headers());
        let body = read_body(response, GRAPH).await?;
        tracing::debug!(%method, url = %redact(url), %status, bytes = body.len(), "graph");
        if let Some(wait) = usage.and_then(|u| u.pause()) {
            tracing::warn!(
                percent = usage.map(|u| u.percent),
                wait_secs = wait.as_secs(),
                "Graph API usage is near its limit: pausing this account's calls"
            );
            self.pause_for(wait);
        }
        let value: Option<Value> = serde_json::from_slice(&body).ok();
        if let Some(error) = value.as_ref().and_then(|v| v.get("error")) {
            let error = error_for(error, usage);
            if let NetworkError::RateLimited {
                retry_after: Some(wait),
                ..
            } = &error
            {
                self.pause_for(*wait);
            }
            return Err(error);
        }
        if !status.is_success() {
            return Err(if status.is_server_error() {
                NetworkError::Transient(format!("the Graph API answered {}", status.as_u16()))
            } else {
                NetworkError::Rejected(format!("the Graph API answered {}", status.as_u16()))
            });
        }
        value.ok_or_else(|| NetworkError::Malformed(format!("{method} {}: not JSON", path_of(url))))
    }

    fn check_pause(&self) -> NetworkResult<()> {
        let paused = *self
            .paused_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match paused {
            Some(until) if until > self.clock.now() => Err(NetworkError::RateLimited {
                retry_after: (until - self.clock.now()).to_std().ok(),
                reset_at: Some(until),
            }),
            _ => Ok(()),
        }
    }

    fn pause_for(&self, wait: Duration) {
        let until = self.clock.now() + chrono::Duration::from_std(wait).unwrap_or_default();
        let mut paused = self
            .paused_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *paused = (*paused).max(Some(until));
    }
}

enum Body<'a> {
    Form(&'a [(&'a str, String)]),
    Json(&'a Value),
}

/// Graph error codes that mean "too many calls" (application, user, page, custom and the
/// Business Use Case limits of Pages, Messenger and Instagram).
fn is_throttling(code: i64) -> bool {
    matches!(code, 4 | 17 | 32 | 613) || (80001..=80014).contains(&code)
}

/// What an `{"error": {...}}` answer means for the sync.
pub fn error_for(error: &Value, usage: Option<Usage>) -> NetworkError {
    let code = error["code"].as_i64().unwrap_or(0);
    let subcode = error["error_subcode"].as_i64();
    let message = error["error_user_msg"]
        .as_str()
        .or(error["message"].as_str())
        .unwrap_or("no message")
        .to_owned();
    let said = match subcode {
        Some(sub) => format!("{message} (Graph error {code}/{sub})"),
        None => format!("{message} (Graph error {code})"),
    };
    if is_throttling(code) {
        let wait = usage.and_then(|u| u.regain_after).unwrap_or(DEFAULT_PAUSE);
        return NetworkError::RateLimited {
            retry_after: Some(wait),
            reset_at: None,
        };
    }
    let permission = permission_named(error["message"].as_str().unwrap_or(""));
    match (code, permission) {
        // An expired, revoked or wrong token: a person has to give a new one.
        (102 | 190, _) => NetworkError::Auth(said),
        // Sent outside the messaging window: not a permission matter.
        (10, _) if subcode == Some(2018278) => NetworkError::Rejected(said),
        // A comment takes one private reply, and it has had it.
        (10900, _) => NetworkError::AlreadyDone(format!(
            "this comment has had its one private reply already: {said}"
        )),
        // A permission the token lacks, named when the message names it (code 100 does too).
        (10 | 100 | 200..=299, Some(permission)) => {
            NetworkError::Rejected(format!("missing permission {permission}: {said}"))
        }
        (10 | 200..=299, None) => NetworkError::Rejected(format!("missing permission: {said}")),
        // Temporary trouble on Meta's side; `is_transient` says the same.
        (1 | 2, _) => NetworkError::Transient(said),
        _ if error["is_transient"].as_bool() == Some(true) => NetworkError::Transient(said),
        _ => NetworkError::Rejected(said),
    }
}

/// The permission an error message names (`pages_manage_engagement`, `instagram_basic`…).
fn permission_named(message: &str) -> Option<&str> {
    const PREFIXES: [&str; 6] = [
        "pages_",
        "instagram_",
        "ads_",
        "business_management",
        "read_insights",
        "publish_",
    ];
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|word| PREFIXES.iter().any(|prefix| word.starts_with(prefix)) && word.len() > 5)
}

/// Graph writes (likes, hiding) answer `{"success": true}`.
pub fn expect_success(answer: &Value) -> NetworkResult<()> {
    match answer["success"].as_bool() {
        Some(true) => Ok(()),
        Some(false) => Err(NetworkError::Rejected(
            "the Graph API did not carry it out".into(),
        )),
        None => Err(NetworkError::Malformed(format!(
            "expected {{\"success\": true}}, got {answer}"
        ))),
    }
}

/// A URL with its `access_token` and `appsecret_proof` values hidden, for logs and errors.
pub fn redact(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if matches!(name, "access_token" | "appsecret_proof") => {
                format!("{name}=REDACTED")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// The path of a URL without its query, for short messages.
fn path_of(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// Graph times look like `2021-07-23T09:50:48+0000` (no colon in the offset); webhooks and some
/// fields use RFC 3339 or Unix seconds. None when it is none of these.
pub fn parse_time(value: &Value) -> Option<DateTime<Utc>> {
    if let Some(seconds) = value.as_i64() {
        return DateTime::from_timestamp(seconds, 0);
    }
    let text = value.as_str()?;
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_never_reach_a_log_line() {
        assert_eq!(
            redact(
                "https://graph.facebook.com/v21.0/1_2/comments?limit=25&access_token=EAAB123&after=QVFI"
            ),
            "https://graph.facebook.com/v21.0/1_2/comments?limit=25&access_token=REDACTED&after=QVFI"
        );
        assert_eq!(redact("https://x/y"), "https://x/y");
    }

    #[test]
    fn graph_times_with_a_colonless_offset_parse() {
        let t = parse_time(&json!("2021-07-23T09:50:48+0000")).unwrap();
        assert_eq!(t.to_rfc3339(), "2021-07-23T09:50:48+00:00");
        let t = parse_time(&json!("2021-07-23T11:50:48+0200")).unwrap();
        assert_eq!(t.to_rfc3339(), "2021-07-23T09:50:48+00:00");
        assert!(parse_time(&json!(1_627_033_848)).is_some());
        assert_eq!(parse_time(&json!("yesterday")), None);
    }

    #[test]
    fn error_codes_become_what_the_sync_acts_on() {
        let throttled = error_for(
            &json!({"code": 32, "message": "Page request limit reached"}),
            None,
        );
        assert_eq!(
            throttled,
            NetworkError::RateLimited {
                retry_after: Some(DEFAULT_PAUSE),
                reset_at: None
            }
        );
        assert!(matches!(
            error_for(&json!({"code": 80001, "message": "x"}), None),
            NetworkError::RateLimited { .. }
        ));
        assert!(matches!(
            error_for(&json!({"code": 190, "error_subcode": 463, "message": "Session has expired"}), None),
            NetworkError::Auth(m) if m.contains("expired") && m.contains("190/463")
        ));
        let permission = error_for(
            &json!({"code": 200, "message": "(#200) Requires pages_manage_engagement permission"}),
            None,
        );
        assert!(
            matches!(&permission, NetworkError::Rejected(m) if m.starts_with("missing permission") && m.contains("pages_manage_engagement")),
            "{permission:?}"
        );
        assert!(error_for(&json!({"code": 2, "message": "retry"}), None).is_retryable());
        assert!(!error_for(&json!({"code": 100, "message": "bad id"}), None).is_retryable());
        let answered = error_for(
            &json!({"code": 10900, "type": "OAuthException", "message": "(#10900) Activity already replied to"}),
            None,
        );
        assert!(
            matches!(&answered, NetworkError::AlreadyDone(m) if m.contains("one private reply") && m.contains("10900")),
            "{answered:?}"
        );
        assert!(!answered.is_retryable());
    }
}
