//! Messenger and Instagram direct messages, which the Graph API serves the same way: a Page's
//! conversations edge (per platform) and its Send API, inside the window the customer's last
//! message opened.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::client::{GraphClient, parse_time};
use super::parse::conversation_items;
use super::window::Window;
use crate::model::IncomingItem;
use crate::networks::{FetchPage, NetworkError, NetworkResult, ReplyRequest, SentReply};

/// Conversations asked for per page, and pages read per sync (newest first).
const CONVERSATIONS_PER_PAGE: usize = 25;
const CONVERSATION_PAGES: usize = 4;
/// The API shows the 20 most recent messages of a conversation.
const CONVERSATION_FIELDS: &str = "id,updated_time,participants,\
                                   messages.limit(20){id,created_time,from,to,message,sticker,\
                                   attachments{mime_type,name,file_url,image_data{url},video_data{url}}}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Messenger,
    Instagram,
}

impl Platform {
    fn as_str(self) -> &'static str {
        match self {
            Platform::Messenger => "messenger",
            Platform::Instagram => "instagram",
        }
    }
}

/// Conversations updated since `since`, newest first as the API lists them; the edge has no
/// time filter, so paging stops at the first one not updated since. `me` is the id the brand
/// writes as (the Page for Messenger, the Instagram account for Instagram).
pub async fn fetch_conversations(
    graph: &GraphClient,
    page_id: &str,
    me: &str,
    platform: Platform,
    since: DateTime<Utc>,
    cursor: Option<&str>,
) -> NetworkResult<FetchPage> {
    let query = [
        ("platform", platform.as_str().to_owned()),
        ("fields", CONVERSATION_FIELDS.to_owned()),
        ("limit", CONVERSATIONS_PER_PAGE.to_string()),
    ];
    let mut page = graph
        .get(&format!("{page_id}/conversations"), &query)
        .await?;
    let mut items = Vec::new();
    let mut newest: Option<DateTime<Utc>> = None;
    'pages: for _ in 0..CONVERSATION_PAGES {
        for conversation in page["data"].as_array().into_iter().flatten() {
            let updated = parse_time(&conversation["updated_time"]);
            if updated.is_some_and(|t| t < since) {
                break 'pages;
            }
            newest = newest.max(updated);
            items.extend(
                conversation_items(conversation, me)
                    .into_iter()
                    .filter(|item| item.message.created_at >= since),
            );
        }
        match page["paging"]["next"].as_str() {
            Some(next) => page = graph.get_url(next).await?,
            None => break,
        }
    }
    items.sort_by_key(|item| item.message.created_at);
    Ok(FetchPage {
        items,
        cursor: newest
            .map(|t| t.timestamp().to_string())
            .or(cursor.map(str::to_owned)),
        more: false,
        resume: None,
    })
}

/// A message to the customer through the Page's Send API, inside the window their last
/// message opened (tagged HUMAN_AGENT past 24 hours when `human_agent` allows it).
pub async fn send(
    graph: &GraphClient,
    page_id: &str,
    request: &ReplyRequest,
    now: DateTime<Utc>,
    human_agent: bool,
) -> NetworkResult<SentReply> {
    let recipient = request
        .recipient
        .as_deref()
        .ok_or_else(|| NetworkError::Rejected("the conversation has no customer id".into()))?;
    let mut body = json!({
        "recipient": { "id": recipient },
        "messaging_type": "RESPONSE",
        "message": { "text": request.text },
    });
    if let Some(last) = request.customer_last_message_at {
        let window = Window::at(last, now, human_agent);
        if let Some(reason) = window.refusal(human_agent) {
            return Err(NetworkError::Rejected(reason));
        }
        if let Window::HumanAgent { .. } = window {
            body["messaging_type"] = json!("MESSAGE_TAG");
            body["tag"] = json!("HUMAN_AGENT");
        }
    }
    let answer = graph
        .post_json(&format!("{page_id}/messages"), &body)
        .await?;
    let remote_id = answer["message_id"]
        .as_str()
        .ok_or_else(|| NetworkError::Malformed("a sent message without an id".into()))?;
    Ok(SentReply {
        remote_id: remote_id.to_owned(),
    })
}

/// Items sorted oldest first, with the cursor moved to the newest of them (Unix seconds) or
/// kept where it was when nothing came.
pub fn page_of_items(mut items: Vec<IncomingItem>, cursor: Option<&str>) -> FetchPage {
    items.sort_by_key(|item| item.message.created_at);
    let newest = items
        .iter()
        .map(|item| item.message.created_at.timestamp())
        .max()
        .map(|secs| secs.to_string())
        .or(cursor.map(str::to_owned));
    FetchPage {
        items,
        cursor: newest,
        more: false,
        resume: None,
    }
}

/// A private reply: one message to a comment's author through the Page's Send API, once per
/// comment and within 7 days of it (the API refuses otherwise, and says why).
pub async fn private_reply(
    graph: &GraphClient,
    page_id: &str,
    comment_remote_id: &str,
    text: &str,
) -> NetworkResult<SentReply> {
    let body = json!({
        "recipient": { "comment_id": comment_remote_id },
        "message": { "text": text },
    });
    let answer = graph
        .post_json(&format!("{page_id}/messages"), &body)
        .await?;
    let remote_id = answer["message_id"]
        .as_str()
        .ok_or_else(|| NetworkError::Malformed("a sent message without an id".into()))?;
    Ok(SentReply {
        remote_id: remote_id.to_owned(),
    })
}

/// How far back the first sync of a Facebook or Instagram stream reads.
const FIRST_SYNC_DAYS: i64 = 14;

/// Where a stream's sync starts: the stored cursor (Unix seconds), or `FIRST_SYNC_DAYS` before
/// `now` on the first sync.
pub fn since(cursor: Option<&str>, now: DateTime<Utc>) -> DateTime<Utc> {
    cursor
        .and_then(|c| c.parse::<i64>().ok())
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(|| now - chrono::Duration::days(FIRST_SYNC_DAYS))
}
