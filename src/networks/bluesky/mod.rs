//! Bluesky (AT Protocol): mentions, replies and quotes from notifications, each with its thread;
//! replies as post records with root and parent strong refs and mention/link facets; likes as
//! like records. Follows the lexicons in the atproto repository.

pub mod chat;
pub mod xrpc;

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use self::xrpc::Xrpc;
use super::{
    Capabilities, FetchPage, LengthUnit, Network, NetworkError, NetworkResult, ReplyRequest,
    SentReply,
};
use crate::model::{
    ConversationKind, Direction, IncomingItem, NetworkKind, RemoteContact, RemoteMessage,
};

pub const NOTIFICATIONS: &str = "notifications";
pub const CHAT: &str = "chat";
/// Where accounts on Bluesky's own servers sign in.
pub const DEFAULT_SERVICE: &str = "https://bsky.social";

/// Notifications asked for per page.
const PAGE: usize = 50;
/// Pages read on the first sync (history), and at most per sync after that.
const FIRST_PAGES: usize = 2;
const MAX_PAGES: usize = 20;
/// Bluesky's post length, in graphemes.
const LIMIT: usize = 300;
/// How far below a notified post hark looks for the brand's own replies.
const REPLY_DEPTH: usize = 6;

pub struct BlueskyNetwork {
    xrpc: Xrpc,
    /// The chat service (atproto-proxy) for direct messages; None leaves DMs out.
    chat: Option<String>,
}

impl BlueskyNetwork {
    pub fn new(xrpc: Xrpc) -> BlueskyNetwork {
        BlueskyNetwork { xrpc, chat: None }
    }

    /// Also sync direct messages, through this chat service.
    pub fn with_chat(mut self, proxy: &str) -> BlueskyNetwork {
        self.chat = Some(proxy.to_owned());
        self
    }

    fn chat(&self) -> Option<chat::Chat<'_>> {
        self.chat.as_deref().map(|proxy| chat::Chat {
            xrpc: &self.xrpc,
            proxy,
        })
    }

    pub fn xrpc(&self) -> &Xrpc {
        &self.xrpc
    }

    /// The posts of a thread from its root down to `uri` (parents first), then the brand's own
    /// replies below it (made here or in another app), so the conversation shows the exchange.
    /// Customers' posts further down arrive through their own notifications. With them, the
    /// replies the thread's gate hides, when the thread came whole from its root (else None).
    async fn thread_posts(
        &self,
        uri: &str,
        me: &str,
    ) -> NetworkResult<(Vec<Value>, Option<HashSet<String>>)> {
        let answer: Value = self
            .xrpc
            .query(
                "app.bsky.feed.getPostThread",
                &[
                    ("uri", uri.to_owned()),
                    ("depth", REPLY_DEPTH.to_string()),
                    ("parentHeight", "80".into()),
                ],
            )
            .await?;
        let mut chain = Vec::new();
        let mut node = &answer["thread"];
        while node.get("post").is_some() {
            chain.push(node["post"].clone());
            node = &node["parent"];
        }
        chain.reverse();
        brand_replies_below(&answer["thread"], me, &mut chain);
        let hidden = hidden_replies(&answer, &chain);
        Ok((chain, hidden))
    }

    async fn post_view(&self, uri: &str) -> NetworkResult<Value> {
        let answer: Value = self
            .xrpc
            .query("app.bsky.feed.getPosts", &[("uris", uri.to_owned())])
            .await?;
        answer["posts"]
            .as_array()
            .and_then(|posts| posts.first().cloned())
            .ok_or_else(|| NetworkError::Rejected(format!("the post {uri} is gone")))
    }

    /// Mention and link facets for a text: UTF-8 byte ranges, as the lexicon wants them.
    async fn facets(&self, text: &str) -> Vec<Value> {
        let mut facets = Vec::new();
        for (start, token) in tokens(text) {
            if let Some(handle) = token
                .strip_prefix('@')
                .map(|h| h.trim_end_matches(['.', ',', '!', '?', ':', ';']))
            {
                if !handle.contains('.') {
                    continue;
                }
                let resolved: NetworkResult<Value> = self
                    .xrpc
                    .query(
                        "com.atproto.identity.resolveHandle",
                        &[("handle", handle.to_owned())],
                    )
                    .await;
                if let Some(did) = resolved
                    .ok()
                    .and_then(|v| v["did"].as_str().map(str::to_owned))
                {
                    facets.push(json!({ "index": { "byteStart": start, "byteEnd": start + 1 + handle.len() },
                                        "features": [{ "$type": "app.bsky.richtext.facet#mention", "did": did }] }));
                }
            } else if token.starts_with("https://") || token.starts_with("http://") {
                let uri = token.trim_end_matches(['.', ',', ')', '!', '?']);
                facets.push(link_facet(start, uri));
            }
        }
        facets
    }
}

/// Collects the posts by `me` anywhere in the replies under `node` (a thread view).
fn brand_replies_below(node: &Value, me: &str, out: &mut Vec<Value>) {
    for reply in node["replies"].as_array().into_iter().flatten() {
        if reply["post"]["author"]["did"] == me {
            out.push(reply["post"].clone());
        }
        brand_replies_below(reply, me, out);
    }
}

/// A mention of `did` over the UTF-8 bytes `start..end` of the text.
pub fn mention_facet(start: usize, end: usize, did: &str) -> Value {
    json!({ "index": { "byteStart": start, "byteEnd": end },
            "features": [{ "$type": "app.bsky.richtext.facet#mention", "did": did }] })
}

/// A link to `uri`, which starts at UTF-8 byte `start` of the text.
pub fn link_facet(start: usize, uri: &str) -> Value {
    json!({ "index": { "byteStart": start, "byteEnd": start + uri.len() },
            "features": [{ "$type": "app.bsky.richtext.facet#link", "uri": uri }] })
}

/// Whitespace-separated tokens with their byte offsets.
fn tokens(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

#[async_trait]
impl Network for BlueskyNetwork {
    fn kind(&self) -> NetworkKind {
        NetworkKind::Bluesky
    }

    async fn verify(&self) -> NetworkResult<String> {
        let session: Value = self
            .xrpc
            .query("com.atproto.server.getSession", &[])
            .await?;
        Ok(format!("@{}", session["handle"].as_str().unwrap_or("?")))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            reply: true,
            like: true,
            hide: true,
            private_reply: None,
            direct_message: self.chat.is_some(),
            profile_lookup: true,
            reply_limit: LIMIT,
            reply_unit: LengthUnit::Graphemes,
            // 300 graphemes leave no room for a signature.
            signatures: false,
            dm_window: None,
        }
    }

    fn streams(&self) -> Vec<&'static str> {
        if self.chat.is_some() {
            vec![NOTIFICATIONS, CHAT]
        } else {
            vec![NOTIFICATIONS]
        }
    }

    /// Notifications only page backwards in time: read from the newest until one already seen
    /// (by `indexedAt`, the cursor hark keeps), then mark them seen.
    async fn fetch_since(&self, stream: &str, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let me = self.xrpc.session().await?.did;
        if let (CHAT, Some(chat)) = (stream, self.chat()) {
            return chat.fetch(&me, cursor).await;
        }
        if stream != NOTIFICATIONS {
            return Err(NetworkError::Rejected(format!(
                "Bluesky has no stream '{stream}'"
            )));
        }
        let pages = if cursor.is_some() {
            MAX_PAGES
        } else {
            FIRST_PAGES
        };
        let mut fresh: Vec<Value> = Vec::new();
        let mut api_cursor: Option<String> = None;
        'pages: for _ in 0..pages {
            let mut params = vec![("limit", PAGE.to_string())];
            for reason in ["mention", "reply", "quote"] {
                params.push(("reasons", reason.to_owned()));
            }
            if let Some(c) = &api_cursor {
                params.push(("cursor", c.clone()));
            }
            let answer: Value = self
                .xrpc
                .query("app.bsky.notification.listNotifications", &params)
                .await?;
            for notification in answer["notifications"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let indexed = notification["indexedAt"].as_str().unwrap_or("").to_owned();
                if cursor.is_some_and(|seen| indexed.as_str() <= seen) {
                    break 'pages;
                }
                fresh.push(notification);
            }
            api_cursor = answer["cursor"].as_str().map(str::to_owned);
            if api_cursor.is_none() {
                break;
            }
        }
        let newest = fresh
            .iter()
            .filter_map(|n| n["indexedAt"].as_str())
            .max()
            .map(str::to_owned)
            .or(cursor.map(str::to_owned));
        let mut items = Vec::new();
        for notification in fresh.iter().rev() {
            let Some(uri) = notification["uri"].as_str() else {
                continue;
            };
            let kind = match notification["reason"].as_str() {
                Some("reply") => ConversationKind::Comment,
                Some("mention" | "quote") => ConversationKind::Mention,
                _ => continue,
            };
            let customer = contact(&notification["author"]);
            let (chain, hidden) = match self.thread_posts(uri, &me).await {
                Ok((chain, hidden)) if !chain.is_empty() => (chain, hidden),
                // The post is gone or hidden: keep what the notification says.
                Ok(_) | Err(NetworkError::Rejected(_)) => (
                    vec![json!({ "uri": uri, "cid": notification["cid"],
                    "author": notification["author"], "record": notification["record"], "indexedAt": notification["indexedAt"] })],
                    None,
                ),
                Err(other) => return Err(other),
            };
            let root = chain[0]["uri"].as_str().unwrap_or(uri).to_owned();
            for post in chain {
                let Some(mut message) = message(&post, &me) else {
                    continue;
                };
                message.hidden = hidden
                    .as_ref()
                    .map(|hidden| hidden.contains(&message.remote_id));
                items.push(IncomingItem {
                    kind,
                    root_remote_id: root.clone(),
                    subject: None,
                    customer: customer.clone(),
                    message,
                });
            }
        }
        if !fresh.is_empty() {
            let seen = json!({ "seenAt": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true) });
            if let Err(err) = self
                .xrpc
                .procedure::<Value>("app.bsky.notification.updateSeen", &seen)
                .await
            {
                tracing::warn!(%err, "could not mark Bluesky notifications seen");
            }
        }
        Ok(FetchPage {
            items,
            cursor: newest,
            more: false,
            resume: None,
        })
    }

    async fn reply(&self, request: &ReplyRequest) -> NetworkResult<SentReply> {
        if request.kind == ConversationKind::Dm {
            let chat = self.chat().ok_or_else(|| NetworkError::Unsupported {
                network: "Bluesky",
                action: "direct messages (set chat = true)",
            })?;
            let id = chat.send(&request.root_remote_id, &request.text).await?;
            return Ok(SentReply { remote_id: id });
        }
        let session = self.xrpc.session().await?;
        let parent_uri = request
            .in_reply_to
            .as_deref()
            .ok_or_else(|| NetworkError::Rejected("there is no post to reply to".into()))?;
        let parent = self.post_view(parent_uri).await?;
        let parent_ref = json!({ "uri": parent["uri"], "cid": parent["cid"] });
        let root_ref = match parent["record"]["reply"]["root"].as_object() {
            Some(root) => Value::Object(root.clone()),
            None => parent_ref.clone(),
        };
        let rkey = tid_for(request);
        let facets = self.facets(&request.text).await;
        let record = reply_record(&request.text, root_ref, parent_ref, facets, Utc::now());
        let body = json!({ "repo": session.did, "collection": "app.bsky.feed.post", "rkey": rkey, "record": record });
        match self
            .xrpc
            .procedure::<Value>("com.atproto.repo.createRecord", &body)
            .await
        {
            Ok(created) => Ok(SentReply {
                remote_id: created["uri"].as_str().unwrap_or_default().to_owned(),
            }),
            // The same reply was created by an earlier try (its record key comes from the
            // idempotency key): it is there, so it counts as sent.
            Err(NetworkError::Rejected(message)) if message.to_lowercase().contains("exist") => {
                Ok(SentReply {
                    remote_id: format!("at://{}/app.bsky.feed.post/{rkey}", session.did),
                })
            }
            Err(other) => Err(other),
        }
    }

    async fn set_liked(&self, remote_id: &str, liked: bool) -> NetworkResult<()> {
        let session = self.xrpc.session().await?;
        let post = self.post_view(remote_id).await?;
        if liked {
            if post["viewer"]["like"].is_string() {
                return Ok(());
            }
            let record = like_record(
                json!({ "uri": post["uri"], "cid": post["cid"] }),
                Utc::now(),
            );
            let body = json!({ "repo": session.did, "collection": "app.bsky.feed.like", "record": record });
            let _: Value = self
                .xrpc
                .procedure("com.atproto.repo.createRecord", &body)
                .await?;
        } else if let Some(like) = post["viewer"]["like"].as_str() {
            let rkey = like.rsplit('/').next().unwrap_or_default();
            let body =
                json!({ "repo": session.did, "collection": "app.bsky.feed.like", "rkey": rkey });
            let _: Value = self
                .xrpc
                .procedure("com.atproto.repo.deleteRecord", &body)
                .await?;
        }
        Ok(())
    }

    /// Hides (or shows again) a reply in a thread the brand started, with the thread's
    /// threadgate record (its key is the root post's key; it keeps whatever else it says).
    async fn set_hidden(&self, remote_id: &str, hidden: bool) -> NetworkResult<()> {
        let session = self.xrpc.session().await?;
        let post = self.post_view(remote_id).await?;
        let root = post["record"]["reply"]["root"]["uri"]
            .as_str()
            .unwrap_or(remote_id)
            .to_owned();
        if !root.starts_with(&format!("at://{}/", session.did)) {
            return Err(NetworkError::Rejected(
                "Bluesky hides replies only in threads the brand started".into(),
            ));
        }
        let rkey = root.rsplit('/').next().unwrap_or_default().to_owned();
        let params = [
            ("repo", session.did.clone()),
            ("collection", "app.bsky.feed.threadgate".to_owned()),
            ("rkey", rkey.clone()),
        ];
        let mut gate = match self
            .xrpc
            .query::<Value>("com.atproto.repo.getRecord", &params)
            .await
        {
            Ok(existing) => existing["value"].clone(),
            Err(NetworkError::Rejected(_)) => {
                json!({ "$type": "app.bsky.feed.threadgate", "post": root,
                "createdAt": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true) })
            }
            Err(other) => return Err(other),
        };
        let mut hidden_replies: Vec<Value> = gate["hiddenReplies"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        hidden_replies.retain(|uri| uri != remote_id);
        if hidden {
            hidden_replies.push(Value::String(remote_id.to_owned()));
        }
        gate["hiddenReplies"] = Value::Array(hidden_replies);
        let body = json!({ "repo": session.did, "collection": "app.bsky.feed.threadgate", "rkey": rkey, "record": gate });
        let _: Value = self
            .xrpc
            .procedure("com.atproto.repo.putRecord", &body)
            .await?;
        Ok(())
    }

    async fn profile(&self, remote_id: &str) -> NetworkResult<RemoteContact> {
        let profile: Value = self
            .xrpc
            .query(
                "app.bsky.actor.getProfile",
                &[("actor", remote_id.to_owned())],
            )
            .await?;
        Ok(contact(&profile))
    }
}

/// The replies a thread's gate hides (`app.bsky.feed.threadgate`'s `hiddenReplies`), from the
/// answer's `threadgate` or the root post's own; None when `chain` does not start at the
/// thread's root (its gate was not seen).
fn hidden_replies(answer: &Value, chain: &[Value]) -> Option<HashSet<String>> {
    let root = chain.first()?;
    if root["record"].get("reply").is_some() {
        return None;
    }
    let gate = match &answer["threadgate"] {
        Value::Null => &root["threadgate"],
        gate => gate,
    };
    Some(
        gate["record"]["hiddenReplies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

pub fn contact(profile: &Value) -> RemoteContact {
    let handle = profile["handle"].as_str().unwrap_or_default().to_owned();
    RemoteContact {
        remote_id: profile["did"].as_str().unwrap_or_default().to_owned(),
        profile_url: (!handle.is_empty()).then(|| format!("https://bsky.app/profile/{handle}")),
        handle,
        name: profile["displayName"]
            .as_str()
            .filter(|n| !n.trim().is_empty())
            .map(str::to_owned),
        avatar_url: profile["avatar"].as_str().map(str::to_owned),
        bio: profile["description"].as_str().map(str::to_owned),
        followers: profile["followersCount"].as_i64(),
    }
}

/// An `app.bsky.feed.post` record replying in a thread (`root` and `parent` are strong refs).
pub fn reply_record(
    text: &str,
    root: Value,
    parent: Value,
    facets: Vec<Value>,
    at: DateTime<Utc>,
) -> Value {
    let mut record = json!({
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "reply": { "root": root, "parent": parent },
    });
    if !facets.is_empty() {
        record["facets"] = Value::Array(facets);
    }
    record
}

/// An `app.bsky.feed.like` record of a post (a strong ref).
pub fn like_record(subject: Value, at: DateTime<Utc>) -> Value {
    json!({ "$type": "app.bsky.feed.like", "subject": subject,
            "createdAt": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true) })
}

/// A post view as a message; None when it is not a readable post.
pub fn message(post: &Value, me: &str) -> Option<RemoteMessage> {
    let uri = post["uri"].as_str()?.to_owned();
    let record = &post["record"];
    let created_at = record["createdAt"]
        .as_str()
        .or(post["indexedAt"].as_str())
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
    let author = contact(&post["author"]);
    Some(RemoteMessage {
        remote_id: uri,
        parent_remote_id: record["reply"]["parent"]["uri"].as_str().map(str::to_owned),
        direction: if author.remote_id == me {
            Direction::Out
        } else {
            Direction::In
        },
        text: record["text"].as_str().unwrap_or_default().to_owned(),
        liked: post["viewer"]["like"].is_string(),
        author,
        created_at,
        hidden: None,
        raw: post.into(),
    })
}

/// A record key for a reply, the same on every retry of it (from its idempotency key), in the
/// TID form post records use: 13 characters of base32-sortable over (time µs << 10 | clock).
fn tid_for(request: &ReplyRequest) -> String {
    let hash = request
        .idempotency_key
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let micros =
        u64::try_from(request.created_at.timestamp_micros()).unwrap_or(0) & ((1 << 53) - 1);
    tid(micros, hash & 0x3ff)
}

fn tid(micros: u64, clock: u64) -> String {
    const ALPHABET: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";
    let value = ((micros << 10) | (clock & 0x3ff)) & !(1 << 63);
    (0..13)
        .rev()
        .map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threads_gate_says_which_replies_are_hidden_when_the_thread_came_from_its_root() {
        let root = json!({ "uri": "at://brand/post/1", "record": { "text": "new beans" } });
        let reply = json!({ "uri": "at://sam/post/2",
                            "record": { "text": "spam", "reply": { "parent": { "uri": "at://brand/post/1" } } } });
        let gate = json!({ "uri": "at://brand/gate/1",
                           "record": { "hiddenReplies": ["at://sam/post/2"] } });
        let answer = json!({ "thread": {}, "threadgate": gate });
        let hidden = hidden_replies(&answer, &[root.clone(), reply.clone()]).unwrap();
        assert_eq!(hidden, HashSet::from(["at://sam/post/2".to_owned()]));
        // The gate as the root post's own view carries it.
        let mut gated_root = root.clone();
        gated_root["threadgate"] = gate;
        let hidden = hidden_replies(&json!({}), &[gated_root, reply.clone()]).unwrap();
        assert!(hidden.contains("at://sam/post/2"));
        // No gate: nothing hidden. A chain that does not start at the root: not known.
        assert_eq!(
            hidden_replies(&json!({}), &[root, reply.clone()]),
            Some(HashSet::new())
        );
        assert_eq!(hidden_replies(&json!({}), &[reply]), None);
    }

    #[test]
    fn record_keys_are_tids_and_stable_per_reply() {
        assert_eq!(tid(0, 0), "2222222222222");
        let request = |key: &str| ReplyRequest {
            kind: ConversationKind::Mention,
            root_remote_id: "r".into(),
            in_reply_to: None,
            recipient: None,
            text: "t".into(),
            idempotency_key: key.into(),
            attempt: 1,
            created_at: DateTime::parse_from_rfc3339("2026-06-01T09:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            customer_last_message_at: None,
        };
        let a = tid_for(&request("k1"));
        assert_eq!(a.len(), 13);
        assert_eq!(a, tid_for(&request("k1")));
        assert_ne!(a, tid_for(&request("k2")));
        assert!(a.starts_with('3'), "a 2026 time: {a}");
    }

    #[test]
    fn tokens_carry_utf8_byte_offsets() {
        let text = "héllo @alice.test see https://ex.com/a";
        let found = tokens(text);
        assert_eq!(found[1], (7, "@alice.test"));
        assert_eq!(&text[found[3].0..], "https://ex.com/a");
    }
}
