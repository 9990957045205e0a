//! Graph API objects of a Facebook Page (posts, comments) in the model's shape. Every field is
//! optional here: the API leaves out what was not asked for, what the token may not read, and
//! what a deleted or restricted user no longer shows.

use serde_json::Value;

use crate::model::{ConversationKind, Direction, IncomingItem, RemoteMessage};
use crate::networks::graph::client::parse_time;
use crate::networks::graph::parse::{contact, subject};

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
            .map(subject);
        Some(PostInfo { id, subject, is_ad })
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
            hidden: comment["is_hidden"].as_bool(),
            raw: comment.into(),
        },
    })
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

    #[test]
    fn a_hidden_comment_says_so_and_one_without_the_field_says_nothing() {
        let comment = |extra: serde_json::Value| {
            let mut comment = json!({"id": "20_34", "created_time": "2021-08-10T18:45:03+0000",
                                     "message": "spam", "from": {"id": "77", "name": "Sam"}});
            if let (Some(comment), Some(extra)) = (comment.as_object_mut(), extra.as_object()) {
                comment.extend(extra.clone());
            }
            comment_item(&comment, &post(), "10")
                .unwrap()
                .message
                .hidden
        };
        assert_eq!(comment(json!({"is_hidden": true})), Some(true));
        assert_eq!(comment(json!({"is_hidden": false})), Some(false));
        assert_eq!(comment(json!({})), None);
    }
}
