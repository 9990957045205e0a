//! A small Mastodon API client: bearer token, Link-header paging, rate-limit headers, and error
//! answers mapped to what the sync engine acts on. Tokens are never logged.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::model::ApiError;
use crate::clock::SharedClock;
use crate::config::Secret;
use crate::networks::http::{read_body, transport_error};
use crate::networks::{NetworkError, NetworkResult};

/// How errors name a Mastodon server.
const SERVER: &str = "the server";

/// How many times a read is tried before its error goes to the sync (which backs off).
const GET_TRIES: usize = 3;

/// Where the previous and next pages are, from the `Link` header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// Newer items (`rel="prev"`).
    pub prev: Option<String>,
    /// Older items (`rel="next"`).
    pub next: Option<String>,
}

impl Links {
    pub fn parse(header: Option<&str>) -> Links {
        let mut links = Links::default();
        for part in header.unwrap_or("").split(',') {
            let mut pieces = part.split(';');
            let url = pieces
                .next()
                .unwrap_or("")
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>');
            for param in pieces {
                match param.trim().replace(' ', "").as_str() {
                    "rel=\"next\"" | "rel=next" => links.next = Some(url.to_owned()),
                    "rel=\"prev\"" | "rel=prev" => links.prev = Some(url.to_owned()),
                    _ => {}
                }
            }
        }
        links
    }

    /// A query parameter of a link ("min_id" of the prev link, say).
    pub fn param(link: Option<&str>, name: &str) -> Option<String> {
        let url = reqwest::Url::parse(link?).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// What the server said about the rate limit in its last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Budget {
    remaining: i64,
    reset: DateTime<Utc>,
}

pub struct Client {
    http: reqwest::Client,
    base: reqwest::Url,
    token: Option<Secret>,
    clock: SharedClock,
    budget: Mutex<Option<Budget>>,
}

impl Client {
    /// A client for the instance at `base` (any http or https URL).
    pub fn new(base: &str, token: Option<Secret>, clock: SharedClock) -> NetworkResult<Client> {
        let base = reqwest::Url::parse(base.trim_end_matches('/'))
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| {
                NetworkError::Rejected(format!(
                    "'{base}' is not an http(s) address of a Mastodon server"
                ))
            })?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("hark/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|err| {
                NetworkError::Transient(format!("cannot start an HTTP client: {err}"))
            })?;
        Ok(Client {
            http,
            base,
            token,
            clock,
            budget: Mutex::new(None),
        })
    }

    pub fn base(&self) -> &reqwest::Url {
        &self.base
    }

    /// The full address of a path on the instance.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base.as_str().trim_end_matches('/'), path)
    }

    /// A GET, tried again at once (twice at most) when the answer was cut off, garbled or a
    /// server error: reading is safe to repeat, and a sync page needs many reads to succeed.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> NetworkResult<(T, Links)> {
        let url = self.url(path);
        let mut tries = 0;
        loop {
            tries += 1;
            match self.send(Method::GET, &url, query, None, None).await {
                Err(NetworkError::Transient(_) | NetworkError::Malformed(_))
                    if tries < GET_TRIES =>
                {
                    continue;
                }
                result => return result,
            }
        }
    }

    /// Follows a `Link` URL as the server gave it.
    pub async fn get_url<T: DeserializeOwned>(&self, url: &str) -> NetworkResult<(T, Links)> {
        if !url.starts_with(self.base.as_str().trim_end_matches('/')) {
            return Err(NetworkError::Malformed(format!(
                "the server sent a paging link to another host: {url}"
            )));
        }
        self.send(Method::GET, url, &[], None, None).await
    }

    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: Option<&str>,
    ) -> NetworkResult<T> {
        Ok(self
            .send(
                Method::POST,
                &self.url(path),
                &[],
                Some(form),
                idempotency_key,
            )
            .await?
            .0)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        form: Option<&[(&str, String)]>,
        idempotency_key: Option<&str>,
    ) -> NetworkResult<(T, Links)> {
        self.check_budget()?;
        let mut request = self.http.request(method.clone(), url).query(query);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        if let Some(form) = form {
            request = request.form(form);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request
            .send()
            .await
            .map_err(|err| transport_error(err, SERVER))?;
        let status = response.status();
        let headers = response.headers().clone();
        self.remember_budget(&headers);
        let body = read_body(response, SERVER).await?;
        tracing::debug!(%method, path = %path_of(url), %status, bytes = body.len(), "mastodon");
        if !status.is_success() {
            return Err(self.error_for(status, &headers, &body));
        }
        let links = Links::parse(headers.get("link").and_then(|v| v.to_str().ok()));
        let value = serde_json::from_slice(&body).map_err(|err| {
            NetworkError::Malformed(format!("{} {}: {err}", method, path_of(url)))
        })?;
        Ok((value, links))
    }

    /// Refuses to call when the last answer said the budget is spent and the reset is ahead.
    fn check_budget(&self) -> NetworkResult<()> {
        let budget = *self
            .budget
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(budget) = budget
            && budget.remaining <= 0
            && budget.reset > self.clock.now()
        {
            return Err(NetworkError::RateLimited {
                retry_after: None,
                reset_at: Some(budget.reset),
            });
        }
        Ok(())
    }

    fn remember_budget(&self, headers: &HeaderMap) {
        let remaining =
            header(headers, "x-ratelimit-remaining").and_then(|v| v.parse::<i64>().ok());
        let reset =
            header(headers, "x-ratelimit-reset").and_then(|v| DateTime::parse_from_rfc3339(v).ok());
        if let (Some(remaining), Some(reset)) = (remaining, reset) {
            *self
                .budget
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Budget {
                remaining,
                reset: reset.with_timezone(&Utc),
            });
        }
    }

    fn error_for(&self, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> NetworkError {
        let message = serde_json::from_slice::<ApiError>(body)
            .map(|e| match e.error_description {
                Some(description) => format!("{}: {description}", e.error),
                None => e.error,
            })
            .unwrap_or_else(|_| status.canonical_reason().unwrap_or("error").to_owned());
        match status {
            StatusCode::TOO_MANY_REQUESTS => NetworkError::RateLimited {
                retry_after: header(headers, "retry-after")
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(Duration::from_secs),
                reset_at: header(headers, "x-ratelimit-reset")
                    .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
                    .map(|t| t.with_timezone(&Utc)),
            },
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                NetworkError::Auth(format!("{message} (HTTP {})", status.as_u16()))
            }
            s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => {
                NetworkError::Transient(format!(
                    "the server answered {}: {message}",
                    status.as_u16()
                ))
            }
            _ => NetworkError::Rejected(format!(
                "the server answered {}: {message}",
                status.as_u16()
            )),
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
}

/// The path of a URL, without its query (which may carry paging ids, never tokens, but keep
/// logs short either way).
fn path_of(url: &str) -> &str {
    let without_query = url.split('?').next().unwrap_or(url);
    without_query
        .find("/api/")
        .map_or(without_query, |i| &without_query[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_give_the_pages_and_their_ids() {
        let links = Links::parse(Some(
            "<https://m.example/api/v1/notifications?max_id=21&types%5B%5D=mention>; rel=\"next\", \
             <https://m.example/api/v1/notifications?min_id=30&types%5B%5D=mention>; rel=\"prev\"",
        ));
        assert_eq!(
            Links::param(links.next.as_deref(), "max_id").as_deref(),
            Some("21")
        );
        assert_eq!(
            Links::param(links.prev.as_deref(), "min_id").as_deref(),
            Some("30")
        );
        assert_eq!(Links::parse(None), Links::default());
    }

    #[test]
    fn paths_in_logs_leave_out_queries() {
        assert_eq!(
            path_of("https://m.example/api/v1/notifications?min_id=3"),
            "/api/v1/notifications"
        );
    }
}
