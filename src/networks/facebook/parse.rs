//! Graph API objects of a Facebook Page (posts, comments) in the model's shape. Every field is
//! optional here: the API leaves out what was not asked for, what the token may not read, and
//! what a deleted or restricted user no longer shows.

use serde_json::Value;

use crate::model::{ConversationKind, Direction, IncomingItem, RemoteContact, RemoteMessage};
use crate::networks::graph::client::parse_time;

/// The longest subject kept from a post's text.
const SUBJECT_CHARS: usize = 120;

/// The post a comment was left on, as far as the conversation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostInfo {
    pub id: String,
    /// The post's text, shortened: the conversation's subject.
    pub subject: Option<String>,
    /// Whether the post is an ad (comments on it are ad comments).
    pub is_ad: bool,
}

impl PostInfo {
    pub fn from_json(post: &Value, is_ad: bool) -> Option<PostInfo> {
        let id = post["id"].as_str()?.to_owned();
        let subject = post["message"]
            .as_str()
            .or(post["story"].as_str())
            .map(|text| shorten(text, SUBJECT_CHARS));
        Some(PostInfo { id, subject, is_ad })
    }
}

fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= max {
        line.to_owned()
    } else {
        let mut cut: String = line.chars().take(max - 1).collect();
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

/// One comment (or reply) as a message of the conversation of its top-level comment: each
/// person's thread under a post is a conversation of its own, the post is its subject.
pub fn comment_item(comment: &Value, post: &PostInfo, page_id: &str) -> Option<IncomingItem> {
    let id = comment["id"].as_str()?.to_owned();
    let created_at = parse_time(&comment["created_time"])?;
    let parent = comment["parent"]["id"].as_str().map(str::to_owned);
    // Facebook threads are two levels deep: a reply's parent is the top-level comment.
    let root = parent.clone().unwrap_or_else(|| id.clone());
    let author = contact(&comment["from"]);
    let direction = if author.remote_id == page_id {
        Direction::Out
    } else {
        Direction::In
    };
    let mut text = comment["message"].as_str().unwrap_or("").to_owned();
    if let Some(kind) = comment["attachment"]["type"].as_str() {
        let url = comment["attachment"]["url"].as_str().unwrap_or("");
        let note = format!("[{kind}] {url}");
        text = if text.is_empty() {
            note.trim_end().to_owned()
        } else {
            format!("{text}\n{}", note.trim_end())
        };
    }
    Some(IncomingItem {
        kind: if post.is_ad {
            ConversationKind::AdComment
        } else {
            ConversationKind::Comment
        },
        root_remote_id: root,
        subject: post.subject.clone(),
        // The brand answering in a thread is not the customer: the sync keeps the conversation's
        // customer from its first inbound message.
        customer: author.clone(),
        message: RemoteMessage {
            remote_id: id,
            parent_remote_id: parent.or_else(|| Some(post.id.clone())),
            direction,
            author,
            text,
            created_at,
            liked: comment["user_likes"].as_bool().unwrap_or(false),
            raw: comment.clone(),
        },
    })
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
                    raw: message.clone(),
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

    fn post() -> PostInfo {
        PostInfo::from_json(
            &json!({"id": "10_20", "message": "Autumn boxes are here!\nOrder now"}),
            false,
        )
        .unwrap()
    }

    #[test]
    fn a_reply_joins_the_conversation_of_its_top_level_comment() {
        let reply = json!({
            "id": "20_31", "created_time": "2021-08-10T18:45:03+0000", "message": "Same here",
            "from": {"id": "77", "name": "Sam"}, "parent": {"id": "20_30"}, "unknown": 1
        });
        let item = comment_item(&reply, &post(), "10").unwrap();
        assert_eq!(item.root_remote_id, "20_30");
        assert_eq!(item.kind, ConversationKind::Comment);
        assert_eq!(item.subject.as_deref(), Some("Autumn boxes are here!"));
        assert_eq!(item.message.direction, Direction::In);
        assert_eq!(item.message.parent_remote_id.as_deref(), Some("20_30"));
    }

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

    #[test]
    fn the_pages_own_comments_go_out_and_authorless_ones_still_arrive() {
        let ours = json!({"id": "20_32", "created_time": "2021-08-10T18:45:03+0000",
                          "message": "Thanks!", "from": {"id": "10", "name": "Kettle"}});
        let item = comment_item(&ours, &post(), "10").unwrap();
        assert_eq!(item.message.direction, Direction::Out);
        assert_eq!(item.message.parent_remote_id.as_deref(), Some("10_20"));

        let hidden_author = json!({"id": "20_33", "created_time": "2021-08-10T18:45:03+0000",
                                   "attachment": {"type": "sticker", "url": "https://x/s.png"}});
        let item = comment_item(&hidden_author, &post(), "10").unwrap();
        assert_eq!(item.customer.remote_id, "unknown");
        assert_eq!(item.message.text, "[sticker] https://x/s.png");
        assert_eq!(comment_item(&json!({"id": "x"}), &post(), "10"), None);
    }
}
