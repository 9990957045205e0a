//! The Mastodon API's JSON, as much of it as hark uses. Every field that the API docs do not
//! promise is optional, and unknown fields are ignored, so that other servers and versions
//! parse too.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// A list in which an entry hark cannot read is left out (and logged) instead of failing the
/// whole answer: one odd status must not hide the rest of a thread.
fn lenient_vec<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    let values = Option::<Vec<serde_json::Value>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(values
        .into_iter()
        .filter_map(|value| match serde_json::from_value(value) {
            Ok(item) => Some(item),
            Err(err) => {
                tracing::warn!(%err, "skipping an entry hark cannot read");
                None
            }
        })
        .collect())
}

/// An optional object that is None when hark cannot read it.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    /// `user` on the same server, `user@domain` elsewhere.
    pub acct: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub avatar: Option<String>,
    /// The profile's bio, as HTML.
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub followers_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Mention {
    pub id: String,
    #[serde(default)]
    pub username: String,
    pub acct: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Status {
    pub id: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub in_reply_to_id: Option<String>,
    #[serde(default)]
    pub in_reply_to_account_id: Option<String>,
    /// public, unlisted, private or direct (or a value a newer server adds).
    #[serde(default = "public")]
    pub visibility: String,
    /// HTML.
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub spoiler_text: String,
    #[serde(default)]
    pub url: Option<String>,
    pub account: Account,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub mentions: Vec<Mention>,
    #[serde(default)]
    pub favourited: Option<bool>,
    /// A boost carries the boosted status here.
    #[serde(default, deserialize_with = "lenient")]
    pub reblog: Option<Box<Status>>,
}

fn public() -> String {
    "public".into()
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Notification {
    pub id: String,
    /// mention, favourite, reblog, follow… (new types appear; hark reads mentions).
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub account: Account,
    #[serde(default)]
    pub status: Option<Status>,
}

/// A direct-message thread.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Conversation {
    pub id: String,
    #[serde(default)]
    pub unread: bool,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub accounts: Vec<Account>,
    #[serde(default, deserialize_with = "lenient")]
    pub last_status: Option<Status>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Context {
    #[serde(default, deserialize_with = "lenient_vec")]
    pub ancestors: Vec<Status>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub descendants: Vec<Status>,
}

/// `POST /api/v1/apps`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Application {
    pub client_id: String,
    pub client_secret: String,
}

/// The body of an error answer: `{"error": "…", "error_description": "…"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiError {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}
