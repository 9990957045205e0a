//! The Mastodon API's JSON, as much of it as hark uses. Every field that the API docs do not
//! promise is optional, and unknown fields are ignored, so that other servers and versions
//! parse too.

use chrono::{DateTime, Utc};
use serde::Deserialize;

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
    #[serde(default)]
    pub mentions: Vec<Mention>,
    #[serde(default)]
    pub favourited: Option<bool>,
    /// A boost carries the boosted status here.
    #[serde(default)]
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
    #[serde(default)]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub last_status: Option<Status>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Context {
    #[serde(default)]
    pub ancestors: Vec<Status>,
    #[serde(default)]
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
