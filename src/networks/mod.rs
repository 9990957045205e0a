//! One module per network, all behind the [`Network`] trait. A network only talks: it fetches
//! and sends, and hands back items in the model's normalised shape. Storing them is the sync
//! engine's job.

pub mod bluesky;
pub mod demo;
pub mod facebook;
pub mod graph;
pub mod http;
pub mod instagram;
pub mod length;
pub mod links;
pub mod mastodon;
pub mod x;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use self::length::LengthUnit;
pub use self::links::post_url;
use crate::model::{ConversationKind, IncomingItem, NetworkKind, RemoteContact, RemoteMessage};

/// What a network can do, so that the interface can say "not supported on Instagram" before
/// trying instead of failing afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Capabilities {
    pub reply: bool,
    pub like: bool,
    pub hide: bool,
    /// A public comment may be answered in its author's private inbox, within this long of
    /// the comment (Facebook and Instagram: 7 days, once per comment).
    pub private_reply: Option<Duration>,
    pub direct_message: bool,
    pub profile_lookup: bool,
    /// The longest reply the network accepts, counted in `reply_unit`.
    pub reply_limit: usize,
    pub reply_unit: LengthUnit,
    /// Whether replies may carry the agent's signature (a network whose replies are too short
    /// for one, or where signing is frowned upon, says no).
    pub signatures: bool,
    /// Direct messages may only be answered within a window after the customer's last message
    /// (Messenger, Instagram): Some(whether the 7-day human-agent window applies).
    pub dm_window: Option<bool>,
}

/// One page of items fetched from a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchPage {
    pub items: Vec<IncomingItem>,
    /// The cursor to fetch from next time; None keeps the stored one.
    pub cursor: Option<String>,
    /// Whether more items are waiting right now (fetch again at once).
    pub more: bool,
    /// Where this pass goes on, when it has more pages: fetch again at once from here (given
    /// as the cursor). Never saved: a pass cut short starts again from the stored cursor.
    pub resume: Option<String>,
}

/// A reply to post into a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRequest {
    pub kind: ConversationKind,
    pub root_remote_id: String,
    /// The message answered, usually the customer's latest one.
    pub in_reply_to: Option<String>,
    /// The customer's id on the network (the recipient of a DM).
    pub recipient: Option<String>,
    pub text: String,
    /// The same key on a retry tells the network (where it supports it) that this is one reply.
    pub idempotency_key: String,
    /// Which delivery of this reply this is (1: the first). Where a network has no idempotency
    /// keys, a later one first looks for what an earlier one may have posted without an answer.
    pub attempt: i64,
    /// When the reply was written (the same on every retry).
    pub created_at: DateTime<Utc>,
    /// When the customer last wrote: Messenger and Instagram only allow answers within a
    /// window after it.
    pub customer_last_message_at: Option<DateTime<Utc>>,
}

/// What the network answered to a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentReply {
    pub remote_id: String,
}

/// Why a network call did not succeed, in the terms the sync engine acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    /// Worth trying again later: timeouts, connection resets, 5xx.
    #[error("{0}")]
    Transient(String),
    /// The network asked us to slow down; `retry_after` when it said how long.
    #[error("rate limited by the network{}", retry_after_text(.retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        reset_at: Option<DateTime<Utc>>,
    },
    /// The credentials were refused or have expired: a person must act, retrying will not help.
    #[error("the network refused the credentials: {0}")]
    Auth(String),
    /// The network refused this request for good (e.g. the post was deleted).
    #[error("{0}")]
    Rejected(String),
    /// The network refused because what was asked is done already and can be done only once
    /// (a comment's one private reply).
    #[error("{0}")]
    AlreadyDone(String),
    /// The network answered with something hark cannot read.
    #[error("unexpected answer from the network: {0}")]
    Malformed(String),
    #[error("{action} is not supported on {network}")]
    Unsupported {
        network: &'static str,
        action: &'static str,
    },
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(" (retry in {}s)", wait.as_secs()),
        None => String::new(),
    }
}

impl NetworkError {
    /// Whether trying the same request again later can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            NetworkError::Transient(_)
                | NetworkError::RateLimited { .. }
                | NetworkError::Malformed(_)
        )
    }
}

pub type NetworkResult<T> = Result<T, NetworkError>;

/// Everything hark asks of a social network. Methods a network cannot do keep their default,
/// which answers [`NetworkError::Unsupported`]; [`Network::capabilities`] says the same up front.
#[async_trait]
pub trait Network: Send + Sync {
    fn kind(&self) -> NetworkKind;

    fn capabilities(&self) -> Capabilities;

    /// The streams this account syncs, each with a cursor of its own (e.g. "mentions", "dms").
    fn streams(&self) -> Vec<&'static str>;

    /// Items of `stream` newer than `cursor` (None: start from the beginning the network offers).
    async fn fetch_since(&self, stream: &str, cursor: Option<&str>) -> NetworkResult<FetchPage>;

    /// The whole exchange a message belongs to.
    async fn fetch_thread(&self, root_remote_id: &str) -> NetworkResult<Vec<IncomingItem>> {
        let _ = root_remote_id;
        Err(self.unsupported("fetching a thread"))
    }

    async fn reply(&self, request: &ReplyRequest) -> NetworkResult<SentReply> {
        let _ = request;
        Err(self.unsupported("replying"))
    }

    async fn set_liked(&self, remote_id: &str, liked: bool) -> NetworkResult<()> {
        let _ = (remote_id, liked);
        Err(self.unsupported("liking"))
    }

    async fn set_hidden(&self, remote_id: &str, hidden: bool) -> NetworkResult<()> {
        let _ = (remote_id, hidden);
        Err(self.unsupported("hiding"))
    }

    /// Answers a public comment in the commenter's private inbox.
    async fn private_reply(&self, comment_remote_id: &str, text: &str) -> NetworkResult<SentReply> {
        let _ = (comment_remote_id, text);
        Err(self.unsupported("private replies"))
    }

    async fn send_direct_message(
        &self,
        recipient_remote_id: &str,
        text: &str,
    ) -> NetworkResult<RemoteMessage> {
        let _ = (recipient_remote_id, text);
        Err(self.unsupported("direct messages"))
    }

    /// The team closed a conversation: a network where that means something (a DM marked read)
    /// is told; for the others this does nothing.
    async fn conversation_closed(
        &self,
        kind: ConversationKind,
        root_remote_id: &str,
    ) -> NetworkResult<()> {
        let _ = (kind, root_remote_id);
        Ok(())
    }

    async fn profile(&self, remote_id: &str) -> NetworkResult<RemoteContact> {
        let _ = remote_id;
        Err(self.unsupported("profile lookup"))
    }

    /// Checks the credentials with one small call; answers whom they belong to.
    async fn verify(&self) -> NetworkResult<String> {
        Err(self.unsupported("checking the credentials"))
    }

    fn unsupported(&self, action: &'static str) -> NetworkError {
        NetworkError::Unsupported {
            network: self.kind().label(),
            action,
        }
    }
}
