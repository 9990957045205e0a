//! The `--json` output: a stable shape, documented in the README, separate from the store's
//! types so that changing the database never changes what scripts read. Times are RFC 3339 in
//! UTC. New fields may be added; existing ones keep their name and meaning.

use serde::Serialize;

use crate::model::{Millis, from_millis};
use crate::store::{ConversationDetail, ConversationRow, MessageRow};

/// The version of this shape, present in every top-level object.
pub const FORMAT_VERSION: u32 = 1;

pub fn time(ms: Millis) -> String {
    from_millis(ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn priority(value: i64) -> &'static str {
    match value {
        i64::MIN..=0 => "normal",
        1 => "high",
        _ => "urgent",
    }
}

#[derive(Debug, Serialize)]
pub struct Customer {
    pub handle: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Conversation {
    pub id: i64,
    pub account: String,
    pub network: &'static str,
    pub kind: &'static str,
    pub status: &'static str,
    pub priority: &'static str,
    pub assignee: Option<String>,
    pub unread: bool,
    pub customer: Customer,
    pub snippet: String,
    pub message_count: i64,
    pub tags: Vec<String>,
    pub last_message_at: String,
    pub last_inbound_at: Option<String>,
    pub first_response_at: Option<String>,
    pub snoozed_until: Option<String>,
}

impl From<&ConversationRow> for Conversation {
    fn from(row: &ConversationRow) -> Self {
        Conversation {
            id: row.id,
            account: row.account.clone(),
            network: row.network.as_str(),
            kind: row.kind.as_str(),
            status: row.status.as_str(),
            priority: priority(row.priority),
            assignee: row.assignee.clone(),
            unread: row.unread,
            customer: Customer {
                handle: row.contact_handle.clone(),
                name: row.contact_name.clone(),
            },
            snippet: row.snippet.clone(),
            message_count: row.message_count,
            tags: row.tags.clone(),
            last_message_at: time(row.last_message_at),
            last_inbound_at: row.last_inbound_at.map(time),
            first_response_at: row.first_response_at.map(time),
            snoozed_until: row.snoozed_until.map(time),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ConversationList {
    pub format: u32,
    pub folder: String,
    pub conversations: Vec<Conversation>,
    /// Pass to `--after` for the next page; null when this was the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub id: i64,
    pub remote_id: Option<String>,
    /// The message this one answers.
    pub in_reply_to: Option<String>,
    pub direction: &'static str,
    pub author: String,
    pub agent: Option<String>,
    pub text: String,
    pub created_at: String,
    pub liked: bool,
    pub hidden: bool,
    /// A reply sent to the commenter's private inbox rather than under the comment.
    pub private: bool,
    /// For replies written in hark: queued, sending, sent or failed.
    pub delivery: Option<&'static str>,
    pub delivery_error: Option<String>,
}

impl From<&MessageRow> for Message {
    fn from(row: &MessageRow) -> Self {
        Message {
            id: row.id,
            remote_id: row.remote_id.clone(),
            in_reply_to: row.parent_remote_id.clone(),
            direction: row.direction.as_str(),
            author: row.author_name.clone(),
            agent: row.agent.clone(),
            text: row.text.clone(),
            created_at: time(row.created_at),
            liked: row.liked,
            hidden: row.hidden,
            private: row.private,
            delivery: row.delivery.map(|d| d.as_str()),
            delivery_error: row.delivery_error.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ConversationShow {
    pub format: u32,
    pub conversation: Conversation,
    pub subject: Option<String>,
    pub root_remote_id: String,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub messages: Vec<Message>,
}

impl From<&ConversationDetail> for ConversationShow {
    fn from(detail: &ConversationDetail) -> Self {
        ConversationShow {
            format: FORMAT_VERSION,
            conversation: Conversation::from(&detail.row),
            subject: detail.subject.clone(),
            root_remote_id: detail.root_remote_id.clone(),
            created_at: time(detail.created_at),
            closed_at: detail.closed_at.map(time),
            messages: detail.messages.iter().map(Message::from).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Account {
    pub name: String,
    pub network: &'static str,
    pub handle: String,
    pub display_name: Option<String>,
    /// Whether the config file has this account enabled (else its cache is kept, unsynced).
    pub syncing: bool,
    /// Where its secret is read from (never the secret).
    pub credentials: Option<String>,
    pub open_conversations: i64,
    pub last_synced_at: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AccountList {
    pub format: u32,
    pub accounts: Vec<Account>,
}

pub fn account_time(ms: Option<Millis>) -> Option<String> {
    ms.map(time)
}

#[derive(Debug, Serialize)]
pub struct Delivery {
    pub format: u32,
    pub conversation_id: i64,
    pub message_id: Option<i64>,
    pub outbox_id: i64,
    /// queued, sending, sent or failed
    pub delivery: &'static str,
    pub remote_id: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Version {
    pub format: u32,
    pub version: &'static str,
    pub schema_version: usize,
}
