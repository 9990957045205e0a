//! Instagram Graph API objects (media, comments and their replies) in the model's shape. Fields
//! are optional: the API leaves out what was not asked for or may not be shown.

use serde_json::Value;

use crate::model::{ConversationKind, Direction, IncomingItem, RemoteContact, RemoteMessage};
use crate::networks::graph::client::parse_time;
use crate::networks::graph::parse::subject;

/// The media a comment was left on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    pub id: String,
    pub subject: Option<String>,
    /// Comment, or AdComment for the media of an ad.
    pub kind: ConversationKind,
}

impl MediaInfo {
    pub fn from_json(media: &Value) -> Option<MediaInfo> {
        let caption = media["caption"].as_str().map(subject);
        Some(MediaInfo {
            id: media["id"].as_str()?.to_owned(),
            subject: caption,
            kind: ConversationKind::Comment,
        })
    }

    /// The Instagram media an ad runs as (`creative{effective_instagram_media_id}` of an ad
    /// of the ad account), with the ad's name as subject; None for an ad not on Instagram.
    pub fn from_ad(ad: &Value) -> Option<MediaInfo> {
        let media = ad["creative"]["effective_instagram_media_id"].as_str()?;
        Some(MediaInfo {
            id: media.to_owned(),
            subject: ad["name"]
                .as_str()
                .map(|name| format!("[Ad] {}", subject(name))),
            kind: ConversationKind::AdComment,
        })
    }
}

/// An Instagram person: `from {id, username}` on comments, or only `username` (older answers).
pub fn contact(comment: &Value) -> RemoteContact {
    let username = comment["from"]["username"]
        .as_str()
        .or(comment["username"].as_str());
    let id = comment["from"]["id"]
        .as_str()
        .or(comment["user"]["id"].as_str())
        .or(username)
        .unwrap_or("unknown")
        .to_owned();
    RemoteContact {
        handle: username.map_or_else(|| id.clone(), |u| format!("@{u}")),
        remote_id: id,
        name: None,
        avatar_url: None,
        bio: None,
        followers: None,
        profile_url: username.map(|u| format!("https://www.instagram.com/{u}/")),
    }
}

/// A top-level comment and the replies the API gave with it, as messages of one conversation
/// (the top-level comment's). `me` and `my_username` say which are the brand's own.
pub fn comment_items(
    comment: &Value,
    media: &MediaInfo,
    me: &str,
    my_username: Option<&str>,
) -> Vec<IncomingItem> {
    let Some(root) = comment["id"].as_str() else {
        return Vec::new();
    };
    let customer = contact(comment);
    let mut items = Vec::new();
    let replies = comment["replies"]["data"].as_array().into_iter().flatten();
    for (node, parent) in std::iter::once((comment, None)).chain(replies.map(|r| (r, Some(root)))) {
        let (Some(id), Some(created_at)) = (node["id"].as_str(), parse_time(&node["timestamp"]))
        else {
            continue;
        };
        let author = contact(node);
        let mine = author.remote_id == me
            || my_username.is_some_and(|u| author.handle.trim_start_matches('@') == u);
        items.push(IncomingItem {
            kind: media.kind,
            root_remote_id: root.to_owned(),
            subject: media.subject.clone(),
            customer: customer.clone(),
            message: RemoteMessage {
                remote_id: id.to_owned(),
                parent_remote_id: Some(parent.unwrap_or(&media.id).to_owned()),
                direction: if mine { Direction::Out } else { Direction::In },
                author,
                text: node["text"].as_str().unwrap_or("").to_owned(),
                created_at,
                liked: false,
                hidden: node["hidden"].as_bool(),
                raw: node.into(),
            },
        });
    }
    items
}

/// A media the account is tagged or mentioned in (from the `tags` edge) as a mention: the
/// conversation is the media, its caption the message.
pub fn tagged_item(media: &Value) -> Option<IncomingItem> {
    let id = media["id"].as_str()?;
    let created_at = parse_time(&media["timestamp"])?;
    let author = contact(media);
    let caption = media["caption"].as_str().unwrap_or("");
    let link = media["permalink"].as_str().unwrap_or("");
    let text = match (caption.is_empty(), link.is_empty()) {
        (false, true) => caption.to_owned(),
        (false, false) => format!("{caption}\n{link}"),
        (true, _) => format!(
            "[{}] {link}",
            media["media_type"].as_str().unwrap_or("media")
        )
        .trim_end()
        .to_owned(),
    };
    Some(IncomingItem {
        kind: ConversationKind::Mention,
        root_remote_id: id.to_owned(),
        subject: None,
        customer: author.clone(),
        message: RemoteMessage {
            remote_id: id.to_owned(),
            parent_remote_id: None,
            direction: Direction::In,
            author,
            text,
            created_at,
            liked: false,
            hidden: None,
            raw: media.into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_comment_and_its_replies_are_one_conversation() {
        let media =
            MediaInfo::from_json(&json!({"id": "m1", "caption": "New mugs ☕\n#coffee"})).unwrap();
        let comment = json!({
            "id": "c1", "text": "Price?", "timestamp": "2026-06-09T09:00:00+0000",
            "from": {"id": "u7", "username": "minji.k"}, "hidden": false,
            "replies": {"data": [
                {"id": "c2", "text": "$18!", "timestamp": "2026-06-09T09:05:00+0000",
                 "from": {"id": "brand-ig", "username": "kettle"}},
                {"id": "c3", "text": "thanks", "timestamp": "2026-06-09T09:06:00+0000", "username": "minji.k"}
            ]}
        });
        let items = comment_items(&comment, &media, "brand-ig", Some("kettle"));
        assert_eq!(items.len(), 3);
        assert!(
            items
                .iter()
                .all(|i| i.root_remote_id == "c1" && i.customer.handle == "@minji.k")
        );
        assert_eq!(items[0].subject.as_deref(), Some("New mugs ☕"));
        assert_eq!(items[1].message.direction, Direction::Out);
        assert_eq!(items[2].message.direction, Direction::In);
        assert_eq!(items[2].message.parent_remote_id.as_deref(), Some("c1"));
        assert!(comment_items(&json!({"text": "no id"}), &media, "x", None).is_empty());
    }
}
