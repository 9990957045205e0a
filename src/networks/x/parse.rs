//! X API v2 answers (posts with their `includes`, DM events) in the model's shape. Only `id`
//! and `text` are certain: every other field may be missing, and unknown ones are ignored.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

pub use super::post::Post;
use crate::model::{
    ConversationKind, Direction, IncomingItem, RawJson, RemoteContact, RemoteMessage,
};

/// The fields and expansions asked for with every post.
pub const TWEET_FIELDS: &str = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities,note_tweet";
pub const TWEET_EXPANSIONS: &str = "author_id,referenced_tweets.id,referenced_tweets.id.author_id";
pub const USER_FIELDS: &str = "username,name,profile_image_url,description,public_metrics";
pub const DM_FIELDS: &str = "id,text,event_type,created_at,dm_conversation_id,sender_id,participant_ids,referenced_tweets,attachments";
pub const DM_EXPANSIONS: &str = "sender_id,participant_ids";

/// The users and posts an answer's `includes` carries, by id.
pub struct Includes<'a> {
    users: HashMap<&'a str, &'a Value>,
    tweets: HashMap<&'a str, &'a Value>,
}

impl<'a> Includes<'a> {
    /// From an answer's `includes` object.
    pub fn of(includes: &'a Value) -> Includes<'a> {
        let by_id = |list: &'a Value| {
            list.as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| Some((v["id"].as_str()?, v)))
                .collect::<HashMap<_, _>>()
        };
        Includes {
            users: by_id(&includes["users"]),
            tweets: by_id(&includes["tweets"]),
        }
    }

    /// The person with this id, as much as the answer says about them.
    pub fn contact(&self, id: &str) -> RemoteContact {
        match self.users.get(id) {
            Some(user) => contact(user),
            None => RemoteContact {
                remote_id: id.to_owned(),
                handle: id.to_owned(),
                name: None,
                avatar_url: None,
                bio: None,
                followers: None,
                profile_url: None,
            },
        }
    }
}

/// An X user object (`id`, `username`, `name`, …).
pub fn contact(user: &Value) -> RemoteContact {
    let id = user["id"].as_str().unwrap_or("unknown").to_owned();
    let username = user["username"].as_str();
    RemoteContact {
        handle: username.map_or_else(|| id.clone(), |u| format!("@{u}")),
        remote_id: id,
        name: user["name"].as_str().map(str::to_owned),
        avatar_url: user["profile_image_url"].as_str().map(str::to_owned),
        bio: user["description"].as_str().map(str::to_owned),
        followers: user["public_metrics"]["followers_count"].as_i64(),
        profile_url: username.map(|u| format!("https://x.com/{u}")),
    }
}

fn time(value: &Value) -> Option<DateTime<Utc>> {
    time_of(value.as_str()?)
}

fn time_of(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A page of posts as X answers it (mentions, search results). Each post is read into the
/// fields hark uses and also kept as the text it came in, which is stored as the message's raw
/// JSON.
#[derive(Debug, Default)]
pub struct PostsPage {
    posts: Vec<(Post, RawJson)>,
    includes: Value,
    pub meta: Value,
    /// Problems X reports next to the posts (e.g. a referenced post that was deleted).
    pub partial_errors: usize,
}

#[derive(Deserialize)]
struct PostsAnswer<'a> {
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    includes: Value,
    #[serde(default)]
    meta: Value,
    #[serde(default)]
    errors: Value,
}

impl PostsPage {
    /// An answer's body. A `data` that is not a list of posts counts as no posts.
    pub fn from_json(body: &[u8]) -> serde_json::Result<PostsPage> {
        if body.is_empty() {
            return Ok(PostsPage::default());
        }
        let answer: PostsAnswer<'_> = serde_json::from_slice(body)?;
        let listed: Vec<&RawValue> = answer
            .data
            .and_then(|data| serde_json::from_str(data.get()).ok())
            .unwrap_or_default();
        let posts = listed
            .into_iter()
            .map(|post| Ok((Post::read(post.get())?, RawJson::from_raw(post))))
            .collect::<serde_json::Result<_>>()?;
        Ok(PostsPage {
            posts,
            includes: answer.includes,
            meta: answer.meta,
            partial_errors: answer.errors.as_array().map_or(0, Vec::len),
        })
    }
}

/// A post as a message (`raw` is its JSON text). Long posts carry their whole text in
/// `note_tweet`. `now` stands in for a missing `created_at` (asked for, but a post seen only
/// through `includes` may lack it).
pub fn tweet_message(
    tweet: &Post,
    raw: RawJson,
    includes: &Includes<'_>,
    me: &str,
    now: DateTime<Utc>,
) -> Option<RemoteMessage> {
    let id = tweet.id.as_deref()?;
    let text = tweet
        .note_tweet
        .text
        .as_deref()
        .or(tweet.text.as_deref())?
        .to_owned();
    let author_id = tweet.author_id.as_deref().unwrap_or("unknown");
    Some(RemoteMessage {
        remote_id: id.to_owned(),
        parent_remote_id: tweet.replied_to().map(str::to_owned),
        direction: if author_id == me {
            Direction::Out
        } else {
            Direction::In
        },
        author: includes.contact(author_id),
        text,
        created_at: tweet.created_at.as_deref().and_then(time_of).unwrap_or(now),
        liked: false,
        hidden: None,
        raw,
    })
}

/// Posts of an answer (mentions or search results) as conversation items: each post's thread
/// (`conversation_id`) is the conversation, and the post it answers, when the answer includes
/// it, comes first so that the thread reads on its own. Posts by the brand and reposts are
/// left out; `kind_of` chooses each post's kind (None skips it).
pub fn tweet_items(
    page: PostsPage,
    me: &str,
    subject: Option<&str>,
    now: DateTime<Utc>,
    kind_of: impl Fn(&Post) -> Option<ConversationKind>,
) -> Vec<IncomingItem> {
    let PostsPage {
        posts, includes, ..
    } = page;
    let includes = Includes::of(&includes);
    let mut items = Vec::new();
    // Oldest first, so that a conversation's first message is its first post.
    for (tweet, raw) in posts.into_iter().rev() {
        let tweet = &tweet;
        if tweet.author_id.as_deref() == Some(me) || tweet.is_repost() {
            continue;
        }
        let Some(kind) = kind_of(tweet) else {
            continue;
        };
        let Some(message) = tweet_message(tweet, raw, &includes, me, now) else {
            continue;
        };
        let root = tweet
            .conversation_id
            .clone()
            .unwrap_or_else(|| message.remote_id.clone());
        let customer = message.author.clone();
        let parent = message
            .parent_remote_id
            .as_deref()
            .and_then(|id| includes.tweets.get(id))
            .and_then(|parent| {
                tweet_message(
                    &Post::from_value(parent),
                    RawJson::from(*parent),
                    &includes,
                    me,
                    message.created_at,
                )
            });
        for message in parent.into_iter().chain(std::iter::once(message)) {
            items.push(IncomingItem {
                kind,
                root_remote_id: root.clone(),
                subject: subject.map(str::to_owned),
                customer: customer.clone(),
                message,
            });
        }
    }
    items
}

/// DM events as items: each DM conversation is a conversation, its customer the participant
/// who is not the brand. Only `MessageCreate` events carry messages. `now` stands in for a
/// missing `created_at`; a missing `dm_conversation_id` is rebuilt for a one-to-one exchange.
pub fn dm_items(answer: &Value, me: &str, now: DateTime<Utc>) -> Vec<IncomingItem> {
    let includes = Includes::of(&answer["includes"]);
    let mut items = Vec::new();
    let events: Vec<&Value> = answer["data"].as_array().into_iter().flatten().collect();
    for event in events.into_iter().rev() {
        if event["event_type"]
            .as_str()
            .is_some_and(|t| t != "MessageCreate")
        {
            continue;
        }
        let Some(id) = event["id"].as_str() else {
            continue;
        };
        let sender = event["sender_id"].as_str().unwrap_or("unknown");
        let listed = event["dm_conversation_id"].as_str();
        let customer_id = if sender != me {
            sender.to_owned()
        } else {
            other_participant(event, listed.unwrap_or(""), me).unwrap_or_else(|| sender.to_owned())
        };
        let conversation = listed.map_or_else(|| one_to_one(me, &customer_id), str::to_owned);
        items.push(IncomingItem {
            kind: ConversationKind::Dm,
            root_remote_id: conversation,
            subject: None,
            customer: includes.contact(&customer_id),
            message: RemoteMessage {
                remote_id: id.to_owned(),
                parent_remote_id: None,
                direction: if sender == me {
                    Direction::Out
                } else {
                    Direction::In
                },
                author: includes.contact(sender),
                text: event["text"].as_str().unwrap_or_default().to_owned(),
                created_at: time(&event["created_at"]).unwrap_or(now),
                liked: false,
                hidden: None,
                raw: event.into(),
            },
        });
    }
    items
}

/// A one-to-one DM conversation's id: the two user ids, the smaller first, joined by '-'.
pub fn one_to_one(a: &str, b: &str) -> String {
    if newer(a, b) {
        format!("{b}-{a}")
    } else {
        format!("{a}-{b}")
    }
}

/// The other person of a DM: from `participant_ids`, or from a one-to-one conversation's id,
/// which is the two user ids joined by '-'.
fn other_participant(event: &Value, conversation: &str, me: &str) -> Option<String> {
    let listed = event["participant_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|id| *id != me);
    listed
        .or_else(|| {
            conversation
                .split('-')
                .find(|id| *id != me && !id.is_empty())
        })
        .map(str::to_owned)
}

/// Whether post id `a` is newer than `b` (ids are growing decimal numbers).
pub fn newer(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_is_stored_as_the_text_it_came_in() {
        let body = br#"{"data":[ {"id":"2","text":"caf\u00e9 \u2615","author_id":"9",  "new_field":[1, 2]} ],
                        "includes":{"users":[{"id":"9","username":"kim"}]},
                        "meta":{"result_count":1,"newest_id":"2"}}"#;
        let page = PostsPage::from_json(body).unwrap();
        assert_eq!(page.meta["newest_id"], "2");
        let items = tweet_items(page, "1", None, Utc::now(), |_| {
            Some(ConversationKind::Mention)
        });
        let message = &items[0].message;
        assert_eq!(message.text, "café ☕");
        assert_eq!(message.author.handle, "@kim");
        assert_eq!(
            message.raw.as_str(),
            r#"{"id":"2","text":"caf\u00e9 \u2615","author_id":"9",  "new_field":[1, 2]}"#
        );
    }

    #[test]
    fn an_answer_without_a_list_of_posts_has_none() {
        for body in [
            &b""[..],
            br#"{"meta":{"result_count":0}}"#,
            br#"{"data":null}"#,
            br#"{"data":{"id":"1","text":"one post, not a list"}}"#,
        ] {
            let page = PostsPage::from_json(body).unwrap();
            assert!(page.posts.is_empty(), "{}", String::from_utf8_lossy(body));
        }
        assert!(PostsPage::from_json(br#"{"data":[{"id":"1""#).is_err());
        let partial = PostsPage::from_json(br#"{"data":[],"errors":[{"title":"Not Found"}]}"#);
        assert_eq!(partial.unwrap().partial_errors, 1);
    }
}
