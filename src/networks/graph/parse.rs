//! Graph API objects that Facebook and Instagram share: people and Messenger/Instagram
//! conversations. Every field is optional: the API leaves out what was not asked for and what
//! the token may not read.

use serde_json::Value;

use crate::model::{ConversationKind, Direction, IncomingItem, RemoteContact, RemoteMessage};
use crate::networks::graph::client::parse_time;

/// The longest subject kept from a post's text or a media's caption.
const SUBJECT_CHARS: usize = 120;

/// A conversation's subject from a post's text: its first line, trimmed and cut to
/// `SUBJECT_CHARS` characters (with `…`).
pub fn subject(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= SUBJECT_CHARS {
        line.to_owned()
    } else {
        let mut cut: String = line.chars().take(SUBJECT_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// A Graph `from` object (`{id, name}`); a comment whose author the API hides has none.
pub fn contact(from: &Value) -> RemoteContact {
    let id = from["id"].as_str().unwrap_or("unknown").to_owned();
    let name = from["name"].as_str().map(str::to_owned);
    // Instagram people (in DMs) have a username instead of a name.
    let username = from["username"].as_str().map(|u| format!("@{u}"));
    RemoteContact {
        handle: username
            .or_else(|| name.clone())
            .unwrap_or_else(|| id.clone()),
        remote_id: id,
        name,
        avatar_url: from["picture"]["data"]["url"].as_str().map(str::to_owned),
        bio: None,
        followers: None,
        profile_url: None,
    }
}

/// The messages of one Messenger conversation (`{id, updated_time, participants, messages}`),
/// oldest first. The customer is the participant who is not the Page.
pub fn conversation_items(conversation: &Value, page_id: &str) -> Vec<IncomingItem> {
    let Some(root) = conversation["id"].as_str() else {
        return Vec::new();
    };
    let customer = conversation["participants"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["id"].as_str().is_some_and(|id| id != page_id))
        .map(contact);
    let mut items: Vec<IncomingItem> = conversation["messages"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|message| {
            let remote_id = message["id"].as_str()?.to_owned();
            let created_at = parse_time(&message["created_time"])?;
            let author = contact(&message["from"]);
            let direction = if author.remote_id == page_id {
                Direction::Out
            } else {
                Direction::In
            };
            // Without participants, the customer is whoever writes to the Page (or is written to).
            let customer = customer.clone().unwrap_or_else(|| match direction {
                Direction::In => author.clone(),
                Direction::Out => contact(&message["to"]["data"][0]),
            });
            Some(IncomingItem {
                kind: ConversationKind::Dm,
                root_remote_id: root.to_owned(),
                subject: None,
                customer,
                message: RemoteMessage {
                    remote_id,
                    parent_remote_id: None,
                    direction,
                    author,
                    text: message_text(message),
                    created_at,
                    liked: false,
                    hidden: None,
                    raw: message.into(),
                },
            })
        })
        .collect();
    items.sort_by_key(|item| item.message.created_at);
    items
}

/// A message's text, with a line per attachment (its name and where to see it).
fn message_text(message: &Value) -> String {
    let mut lines: Vec<String> = message["message"]
        .as_str()
        .filter(|text| !text.is_empty())
        .map(|text| vec![text.to_owned()])
        .unwrap_or_default();
    for attachment in message["attachments"]["data"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let kind = attachment["mime_type"].as_str().unwrap_or("attachment");
        let url = attachment["image_data"]["url"]
            .as_str()
            .or(attachment["video_data"]["url"].as_str())
            .or(attachment["file_url"].as_str())
            .unwrap_or("");
        lines.push(format!("[{kind}] {url}").trim_end().to_owned());
    }
    if message["sticker"].is_string() {
        lines.push("[sticker]".into());
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_messenger_conversation_is_one_dm_thread_with_the_customer() {
        let conversation = json!({
            "id": "t_1", "updated_time": "2026-06-09T10:00:00+0000",
            "participants": {"data": [{"id": "55", "name": "Layla"}, {"id": "10", "name": "Kettle"}]},
            "messages": {"data": [
                {"id": "m_2", "created_time": "2026-06-09T10:00:00+0000", "message": "On it!",
                 "from": {"id": "10", "name": "Kettle"}, "to": {"data": [{"id": "55"}]}},
                {"id": "m_1", "created_time": "2026-06-09T09:00:00+0000", "message": "",
                 "from": {"id": "55", "name": "Layla"},
                 "attachments": {"data": [{"mime_type": "image/jpeg", "image_data": {"url": "https://cdn/x.jpg"}}]}},
            ]}
        });
        let items = conversation_items(&conversation, "10");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].message.remote_id, "m_1");
        assert_eq!(items[0].message.text, "[image/jpeg] https://cdn/x.jpg");
        assert_eq!(items[1].message.direction, Direction::Out);
        assert!(
            items
                .iter()
                .all(|i| i.customer.remote_id == "55" && i.kind == ConversationKind::Dm)
        );
        assert!(conversation_items(&json!({"messages": {}}), "10").is_empty());
    }
}
