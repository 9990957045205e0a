//! The fields hark reads from an X post, read straight into their types: a page of mentions is
//! a hundred posts, and building each one's whole JSON tree (most of it metrics and fields hark
//! never reads) cost more than the rest of reading the page. A post whose fields are not of the
//! types the API documents is read field by field from its JSON value instead, as tolerantly
//! as before.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Post {
    pub id: Option<String>,
    pub text: Option<String>,
    pub author_id: Option<String>,
    pub conversation_id: Option<String>,
    pub created_at: Option<String>,
    pub in_reply_to_user_id: Option<String>,
    pub referenced_tweets: Vec<Reference>,
    /// A long post's whole text.
    pub note_tweet: NoteTweet,
    pub entities: Entities,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct NoteTweet {
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Entities {
    pub mentions: Vec<Mentioned>,
}

/// Someone a post mentions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Mentioned {
    pub id: Option<String>,
    pub username: Option<String>,
}

impl Post {
    /// A post's JSON text; an error only when it is not JSON at all.
    pub fn read(json: &str) -> serde_json::Result<Post> {
        serde_json::from_str(json)
            .or_else(|_| serde_json::from_str::<Value>(json).map(|value| Post::from_value(&value)))
    }

    /// A post already read as a value, each field taken when it is a string (or a list of the
    /// expected objects) and left out otherwise.
    pub fn from_value(post: &Value) -> Post {
        let text = |value: &Value| value.as_str().map(str::to_owned);
        Post {
            id: text(&post["id"]),
            text: text(&post["text"]),
            author_id: text(&post["author_id"]),
            conversation_id: text(&post["conversation_id"]),
            created_at: text(&post["created_at"]),
            in_reply_to_user_id: text(&post["in_reply_to_user_id"]),
            referenced_tweets: list(&post["referenced_tweets"])
                .iter()
                .map(|reference| Reference {
                    kind: text(&reference["type"]),
                    id: text(&reference["id"]),
                })
                .collect(),
            note_tweet: NoteTweet {
                text: text(&post["note_tweet"]["text"]),
            },
            entities: Entities {
                mentions: list(&post["entities"]["mentions"])
                    .iter()
                    .map(|mention| Mentioned {
                        id: text(&mention["id"]),
                        username: text(&mention["username"]),
                    })
                    .collect(),
            },
        }
    }

    /// The post this one answers (`referenced_tweets` of type `replied_to`).
    pub fn replied_to(&self) -> Option<&str> {
        self.referenced("replied_to")
    }

    /// Whether this is a repost (nothing to answer: the original is what was said).
    pub fn is_repost(&self) -> bool {
        self.referenced("retweeted").is_some()
    }

    fn referenced(&self, kind: &str) -> Option<&str> {
        self.referenced_tweets
            .iter()
            .find(|reference| reference.kind.as_deref() == Some(kind))?
            .id
            .as_deref()
    }
}

/// A JSON list's items (none when it is not a list).
fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_reads_the_same_typed_or_field_by_field() {
        let json = r#"{"id":"2","text":"hi","author_id":"9","conversation_id":"1",
            "created_at":"2026-01-01T00:00:00.000Z","in_reply_to_user_id":"7",
            "referenced_tweets":[{"type":"replied_to","id":"1"}],
            "note_tweet":{"text":"hi, at length"},
            "entities":{"mentions":[{"start":0,"end":5,"username":"brand","id":"7"}]},
            "public_metrics":{"like_count":3},"edit_history_tweet_ids":["2"]}"#;
        let typed = Post::read(json).unwrap();
        let value: Value = serde_json::from_str(json).unwrap();
        assert_eq!(typed, Post::from_value(&value));
        assert_eq!(typed.replied_to(), Some("1"));
        assert!(!typed.is_repost());
        assert_eq!(
            typed.entities.mentions[0].username.as_deref(),
            Some("brand")
        );
    }

    #[test]
    fn fields_of_unexpected_types_are_left_out_not_fatal() {
        let post = Post::read(r#"{"id":"3","text":"ok","author_id":42,"referenced_tweets":null}"#)
            .unwrap();
        assert_eq!(post.id.as_deref(), Some("3"));
        assert_eq!(post.author_id, None);
        assert!(post.referenced_tweets.is_empty());
        assert!(Post::read("not json").is_err());
    }
}
