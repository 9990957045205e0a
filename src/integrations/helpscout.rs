//! Help Scout Docs: searching a knowledge base's articles from the composer. The Docs API (v1)
//! takes the API key as the user name of HTTP Basic auth (any password), answers JSON, and
//! limits requests per 10 minutes (429, with `X-RateLimit-Reset` in seconds).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{HelpScoutConfig, Secret};
use crate::networks::{NetworkError, NetworkResult};

/// Characters of an article's preview put into a reply.
const SUMMARY_CHARS: usize = 140;

/// An article found by a search, as hark keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    pub name: String,
    /// The first lines of the article, without markup.
    pub preview: String,
    /// The article's public address on the Docs site.
    pub url: String,
}

impl Article {
    /// What the picker puts into the reply: the title, a short summary and the link.
    pub fn snippet(&self) -> String {
        let preview = self
            .preview
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let summary = if preview.chars().count() <= SUMMARY_CHARS {
            preview
        } else {
            let cut: String = preview.chars().take(SUMMARY_CHARS).collect();
            // End on a sentence when one ends in the cut, else on a word.
            match cut.rfind(". ") {
                Some(end) if end > SUMMARY_CHARS / 3 => cut[..=end].to_owned(),
                _ => format!(
                    "{}…",
                    cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head)
                ),
            }
        };
        if summary.is_empty() {
            format!("{}: {}", self.name, self.url)
        } else {
            format!("{}: {} {}", self.name, summary, self.url)
        }
    }
}

pub struct DocsClient {
    http: reqwest::Client,
    base: String,
    site_id: Option<String>,
    collection_id: Option<String>,
}

impl DocsClient {
    pub fn new(config: &HelpScoutConfig) -> DocsClient {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("hark/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        DocsClient {
            http,
            base: config.base().to_owned(),
            site_id: config.site_id.clone(),
            collection_id: config.collection_id.clone(),
        }
    }

    /// Published articles matching `query`, best first (the first page of results).
    pub async fn search(&self, key: &Secret, query: &str) -> NetworkResult<Vec<Article>> {
        let mut params = vec![
            ("query", query.to_owned()),
            ("status", "published".to_owned()),
        ];
        if let Some(site) = &self.site_id {
            params.push(("siteId", site.clone()));
        }
        if let Some(collection) = &self.collection_id {
            params.push(("collectionId", collection.clone()));
        }
        let response = self
            .http
            .get(format!("{}/v1/search/articles", self.base))
            .basic_auth(key.expose(), Some("X"))
            .query(&params)
            .send()
            .await
            .map_err(|err| crate::networks::http::transport_error(err, "Help Scout"))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let reset = header("x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok());
        let correlation = header("correlation-id");
        let body = crate::networks::http::read_body(response, "Help Scout").await?;
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return parse_search(&json);
        }
        Err(error(status, &json, reset, correlation.as_deref()))
    }
}

/// The search answer: `{"articles": {"items": [ArticleSearch…], "page", "pages", "count"}}`.
/// Items without a name or a link are left out; unknown fields are ignored.
pub fn parse_search(json: &Value) -> NetworkResult<Vec<Article>> {
    let items = json["articles"]["items"].as_array().ok_or_else(|| {
        NetworkError::Malformed("the Docs search answer has no articles.items".into())
    })?;
    Ok(items
        .iter()
        .filter_map(|item| {
            let name = item["name"].as_str()?.trim();
            let url = item["url"].as_str()?.trim();
            if name.is_empty() || !(url.starts_with("https://") || url.starts_with("http://")) {
                return None;
            }
            let id = match &item["id"] {
                Value::String(id) => id.clone(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            Some(Article {
                id,
                name: crate::text::sanitize_line(name),
                preview: crate::text::sanitize_line(item["preview"].as_str().unwrap_or("")),
                url: url.to_owned(),
            })
        })
        .collect())
}

/// An error answer: Help Scout's `{"status", "message"}` envelope when there is one.
fn error(status: u16, json: &Value, reset: Option<u64>, correlation: Option<&str>) -> NetworkError {
    let message = json["message"]
        .as_str()
        .or_else(|| json["error"].as_str())
        .map(crate::text::sanitize_line)
        .unwrap_or_default();
    let mut described = if message.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("{message} (HTTP {status})")
    };
    if let Some(id) = correlation {
        described.push_str(&format!(
            ", Correlation-Id {}",
            crate::text::sanitize_line(id)
        ));
    }
    match status {
        429 => NetworkError::RateLimited {
            retry_after: reset.map(Duration::from_secs),
            reset_at: None,
        },
        401 | 403 => NetworkError::Auth(format!(
            "Help Scout refused the Docs API key: {described}; check [helpscout] api_key_* (Your Profile › Authentication › API Keys)"
        )),
        500.. => NetworkError::Transient(format!("Help Scout had trouble: {described}")),
        _ => NetworkError::Rejected(format!("Help Scout refused the search: {described}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn search_results_are_read_tolerantly() {
        let answer = json!({"articles": {"page": 1, "pages": 1, "count": 3, "items": [
            {"id": "5214", "name": "Reset your password", "preview": "Open Settings.\nChoose <Security>.",
             "url": "https://help.example.com/article/12-reset", "docsUrl": "https://secure.example/docs/1", "newField": 1},
            {"id": "2", "name": "No link"},
            {"id": 3, "name": "Numbered", "url": "https://help.example.com/article/3"}
        ]}});
        let articles = parse_search(&answer).unwrap();
        assert_eq!(articles.len(), 2);
        assert_eq!(articles[0].url, "https://help.example.com/article/12-reset");
        assert_eq!(articles[1].id, "3");
        assert_eq!(
            articles[0].snippet(),
            "Reset your password: Open Settings. Choose <Security>. https://help.example.com/article/12-reset"
        );
        assert!(parse_search(&json!({"items": []})).is_err());
    }

    #[test]
    fn a_long_preview_is_cut_on_a_sentence_or_a_word() {
        let article = Article {
            id: "1".into(),
            name: "Refunds".into(),
            preview: format!(
                "Refunds reach the card you paid with within five days of the return arriving. {}",
                "word ".repeat(60)
            ),
            url: "https://h.example/a/1".into(),
        };
        assert_eq!(
            article.snippet(),
            "Refunds: Refunds reach the card you paid with within five days of the return arriving. https://h.example/a/1"
        );
        let article = Article {
            preview: "word ".repeat(60),
            ..article
        };
        let snippet = article.snippet();
        assert!(snippet.contains("word… https://"), "{snippet}");
    }

    #[test]
    fn errors_name_the_cause() {
        let refused = error(
            401,
            &json!({"status": 401, "message": "Unauthorized"}),
            None,
            Some("abc"),
        );
        assert!(matches!(refused, NetworkError::Auth(_)));
        assert!(
            refused
                .to_string()
                .contains("Unauthorized (HTTP 401), Correlation-Id abc"),
            "{refused}"
        );
        assert_eq!(
            error(429, &Value::Null, Some(42), None),
            NetworkError::RateLimited {
                retry_after: Some(Duration::from_secs(42)),
                reset_at: None
            }
        );
        assert!(error(503, &Value::Null, None, None).is_retryable());
    }
}
