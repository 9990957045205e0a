//! X (API v2): mentions of the brand, replies to its posts, DMs, and the searches the team
//! defines (keywords, hashtags, phrases) as conversations of their own. Replies, likes, hiding
//! replies to the brand's posts, and DMs.

pub mod api;
pub mod auth;
pub mod parse;
mod post;

use std::collections::BTreeMap;

use async_trait::async_trait;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::OnceCell;

use self::api::XClient;
use self::parse::{
    DM_EXPANSIONS, DM_FIELDS, Post, PostsPage, TWEET_EXPANSIONS, TWEET_FIELDS, USER_FIELDS,
    dm_items, newer, tweet_items,
};
use super::{
    Capabilities, FetchPage, LengthUnit, Network, NetworkError, NetworkResult, ReplyRequest,
    SentReply,
};
use crate::clock::SharedClock;
use crate::model::{ConversationKind, NetworkKind, RemoteContact, RemoteMessage};

pub const MENTIONS: &str = "mentions";
pub const DMS: &str = "dms";
pub const SEARCHES: &str = "searches";

/// Pages read per stream in one sync (100 posts or events each).
const PAGES: usize = 5;
/// The longest post, in X's weighted count.
pub const POST_LIMIT: usize = 280;

/// The signed-in user.
#[derive(Debug, Clone)]
struct Me {
    id: String,
    username: String,
}

/// One page of posts read.
struct PostPage {
    items: Vec<crate::model::IncomingItem>,
    newest: Option<String>,
    oldest: Option<String>,
    next_token: Option<String>,
}

/// Where the reading of mentions stands. Between passes it is the stream's cursor: a post id
/// once everything up to it is read; this, as JSON, while older mentions than the last page
/// read are still to come (`until`): those are read first, then what is newer than `newest`.
/// Within a pass it is also the page's `resume`, with the next page's token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct MentionsPass {
    /// Mentions newer than this are wanted (the newest read before this reading began).
    since: Option<String>,
    /// Mentions older than this (the oldest read so far) are still to be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    /// The `until_id` this pass asks with: X wants a page token sent with the same query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    below: Option<String>,
    /// The newest mention read since `since`.
    newest: Option<String>,
    /// The next page of this pass (tokens are kept for one pass only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// Pages read in this pass.
    #[serde(default, skip_serializing_if = "is_zero")]
    pages: usize,
}

fn is_zero(pages: &usize) -> bool {
    *pages == 0
}

impl MentionsPass {
    fn from_cursor(cursor: Option<&str>) -> NetworkResult<MentionsPass> {
        match cursor {
            Some(text) if text.starts_with('{') => {
                let mut pass: MentionsPass = serde_json::from_str(text).map_err(|err| {
                    NetworkError::Malformed(format!(
                        "a mentions position that cannot be read: {err}"
                    ))
                })?;
                if pass.token.is_none() {
                    // A saved position: this pass reads below the oldest read so far.
                    pass.below.clone_from(&pass.until);
                }
                Ok(pass)
            }
            since => Ok(MentionsPass {
                since: since.map(str::to_owned),
                ..MentionsPass::default()
            }),
        }
    }

    fn to_cursor(&self) -> String {
        json!(self).to_string()
    }

    /// What is saved with a page that has older mentions behind it: the next pass (after a
    /// crash, a rate limit, or the pass's last page) goes on below the oldest read.
    fn progress(&self) -> String {
        MentionsPass {
            below: None,
            token: None,
            pages: 0,
            ..self.clone()
        }
        .to_cursor()
    }
}

pub struct XNetwork {
    client: XClient,
    searches: Vec<String>,
    dms: bool,
    clock: SharedClock,
    me: OnceCell<Me>,
}

impl XNetwork {
    pub fn new(client: XClient, clock: SharedClock) -> XNetwork {
        XNetwork {
            client,
            searches: Vec::new(),
            dms: true,
            clock,
            me: OnceCell::new(),
        }
    }

    /// Search queries (X search syntax: words, "phrases", #hashtags, operators) followed
    /// beyond mentions.
    pub fn with_searches(mut self, searches: Vec<String>) -> XNetwork {
        self.searches = searches
            .into_iter()
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty())
            .collect();
        self
    }

    pub fn with_dms(mut self, dms: bool) -> XNetwork {
        self.dms = dms;
        self
    }

    /// `GET /2/users/me`: who the token belongs to.
    pub async fn who_am_i(&self) -> NetworkResult<RemoteContact> {
        let answer = self
            .client
            .get(
                "users/me",
                "/users/me",
                &[("user.fields", USER_FIELDS.to_owned())],
            )
            .await?;
        Ok(parse::contact(&answer["data"]))
    }

    async fn me(&self) -> NetworkResult<&Me> {
        self.me
            .get_or_try_init(|| async {
                let user = self.who_am_i().await?;
                Ok(Me {
                    username: user.handle.trim_start_matches('@').to_owned(),
                    id: user.remote_id,
                })
            })
            .await
    }

    fn post_query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("max_results", "100".to_owned()),
            ("tweet.fields", TWEET_FIELDS.to_owned()),
            ("expansions", TWEET_EXPANSIONS.to_owned()),
            ("user.fields", USER_FIELDS.to_owned()),
        ]
    }

    /// Mentions newer than the cursor, newest page first, one page per call. A page with more
    /// behind it answers where the pass goes on (`resume`) and saves how far it got (`cursor`),
    /// so a pass cut short, or stopped after `PAGES` pages, goes on below the oldest mention
    /// read instead of skipping the rest; the last page saves the newest id read.
    async fn fetch_mentions(&self, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let me = self.me().await?;
        let mut pass = MentionsPass::from_cursor(cursor)?;
        let mut query = self.post_query();
        if let Some(since) = &pass.since {
            query.push(("since_id", since.clone()));
        }
        if let Some(below) = &pass.below {
            query.push(("until_id", below.clone()));
        }
        if let Some(token) = &pass.token {
            query.push(("pagination_token", token.clone()));
        }
        let path = format!("/users/{}/mentions", me.id);
        let page = self
            .read_post_page("mentions", &path, &query, &me.id, None, |tweet| {
                Some(
                    if tweet.in_reply_to_user_id.as_deref() == Some(me.id.as_str()) {
                        ConversationKind::Comment
                    } else {
                        ConversationKind::Mention
                    },
                )
            })
            .await?;
        let mut items = page.items;
        Self::name_the_brand(&mut items, me);
        if let Some(id) = page.newest
            && pass.newest.as_deref().is_none_or(|n| newer(&id, n))
        {
            pass.newest = Some(id);
        }
        if let Some(id) = page.oldest {
            pass.until = Some(id);
        }
        pass.pages += 1;
        let Some(token) = page.next_token else {
            return Ok(FetchPage {
                items,
                cursor: pass.newest.or(pass.since),
                more: false,
                resume: None,
            });
        };
        let cursor = Some(pass.progress());
        let resume = if pass.pages < PAGES {
            pass.token = Some(token);
            Some(pass.to_cursor())
        } else {
            tracing::info!("more mentions than one pass reads; the next pass reads the older ones");
            None
        };
        Ok(FetchPage {
            items,
            cursor,
            more: false,
            resume,
        })
    }

    /// Each search newer than its own cursor; the stream's cursor is a JSON object of
    /// query → newest post id.
    async fn fetch_searches(&self, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let me = self.me().await?;
        let mut positions: BTreeMap<String, String> = cursor
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let mut items = Vec::new();
        let mine = format!("@{}", me.username.to_lowercase());
        for search in &self.searches {
            let mut query = self.post_query();
            query.push(("query", search.clone()));
            if let Some(since) = positions.get(search) {
                query.push(("since_id", since.clone()));
            }
            let subject = format!("search: {search}");
            let (found, newest) = self
                .read_posts(
                    "search",
                    "/tweets/search/recent",
                    query,
                    &me.id,
                    Some(&subject),
                    |tweet| {
                        // Posts that mention the brand arrive as mentions already.
                        let mentions_me = tweet.entities.mentions.iter().any(|m| {
                            m.id.as_deref() == Some(me.id.as_str())
                                || m.username
                                    .as_deref()
                                    .map(|u| format!("@{}", u.to_lowercase()))
                                    == Some(mine.clone())
                        });
                        (!mentions_me).then_some(ConversationKind::SearchHit)
                    },
                )
                .await?;
            items.extend(found);
            if let Some(newest) = newest {
                positions.insert(search.clone(), newest);
            }
        }
        // Searches no longer configured are forgotten.
        positions.retain(|query, _| self.searches.contains(query));
        Ok(FetchPage {
            items,
            cursor: serde_json::to_string(&positions).ok(),
            more: false,
            resume: None,
        })
    }

    /// Gives the brand's own messages its handle where the answer's `includes` left it out.
    fn name_the_brand(items: &mut [crate::model::IncomingItem], me: &Me) {
        for item in items {
            let author = &mut item.message.author;
            if author.remote_id == me.id && author.handle == me.id {
                author.handle = format!("@{}", me.username);
                author.profile_url = Some(format!("https://x.com/{}", me.username));
            }
        }
    }

    /// Reads up to `PAGES` pages of posts; answers the items and the newest id seen.
    async fn read_posts(
        &self,
        endpoint: &'static str,
        path: &str,
        query: Vec<(&'static str, String)>,
        me: &str,
        subject: Option<&str>,
        kind_of: impl Fn(&Post) -> Option<ConversationKind>,
    ) -> NetworkResult<(Vec<crate::model::IncomingItem>, Option<String>)> {
        let mut items = Vec::new();
        let mut newest: Option<String> = None;
        let mut token: Option<String> = None;
        for _ in 0..PAGES {
            let mut query = query.clone();
            if let Some(token) = &token {
                let name = if endpoint == "search" {
                    "next_token"
                } else {
                    "pagination_token"
                };
                query.push((name, token.clone()));
            }
            let page = self
                .read_post_page(endpoint, path, &query, me, subject, &kind_of)
                .await?;
            if let Some(id) = page.newest
                && newest.as_deref().is_none_or(|n| newer(&id, n))
            {
                newest = Some(id);
            }
            items.extend(page.items);
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        if token.is_some() && items.len() >= PAGES * 100 {
            tracing::warn!(
                endpoint,
                "more posts than one sync reads; the oldest are skipped"
            );
        }
        Ok((items, newest))
    }

    /// One page of posts.
    async fn read_post_page(
        &self,
        endpoint: &'static str,
        path: &str,
        query: &[(&'static str, String)],
        me: &str,
        subject: Option<&str>,
        kind_of: impl Fn(&Post) -> Option<ConversationKind>,
    ) -> NetworkResult<PostPage> {
        let body = self.client.get_body(endpoint, path, query).await?;
        let page = PostsPage::from_json(&body).map_err(|err| api::invalid_json(&err))?;
        if page.partial_errors > 0 {
            tracing::debug!(
                endpoint,
                partial = page.partial_errors,
                "partial errors next to data"
            );
        }
        let meta = |field: &str| page.meta[field].as_str().map(str::to_owned);
        let (newest, oldest, next_token) =
            (meta("newest_id"), meta("oldest_id"), meta("next_token"));
        Ok(PostPage {
            items: tweet_items(page, me, subject, self.clock.now(), &kind_of),
            newest,
            oldest,
            next_token,
        })
    }

    /// A reply an earlier attempt posted although its answer never came back: among the
    /// brand's posts since the reply was written, one answering `target` with the same words.
    /// A failed look is logged and answered as none (the reply is then posted).
    async fn earlier_reply(&self, target: &str, request: &ReplyRequest) -> Option<String> {
        let looked = async {
            let me = self.me().await?;
            let since = request.created_at - chrono::Duration::minutes(1);
            let query = [
                ("max_results", "100".to_owned()),
                (
                    "start_time",
                    since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ),
                ("tweet.fields", "referenced_tweets,created_at".to_owned()),
                ("exclude", "retweets".to_owned()),
            ];
            let path = format!("/users/{}/tweets", me.id);
            self.client.get("users/tweets", &path, &query).await
        }
        .await;
        let answer = logged_if_failed(looked)?;
        answer["data"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|post| {
                Post::from_value(post).replied_to() == Some(target)
                    && post["text"]
                        .as_str()
                        .is_some_and(|text| same_reply(text, &request.text))
            })
            .and_then(|post| post["id"].as_str())
            .map(str::to_owned)
    }

    /// A DM an earlier attempt sent although its answer never came back: the brand's newest
    /// messages in the conversation, one with the same text sent since the reply was written.
    /// A failed look is logged and answered as none (the DM is then sent).
    async fn earlier_dm(&self, conversation: &str, request: &ReplyRequest) -> Option<String> {
        let looked = async {
            let me = self.me().await?;
            let query = [
                ("max_results", "50".to_owned()),
                ("event_types", "MessageCreate".to_owned()),
                ("dm_event.fields", "id,text,created_at,sender_id".to_owned()),
            ];
            let path = format!("{conversation}/dm_events");
            let answer = self.client.get("dm_events", &path, &query).await?;
            Ok::<_, NetworkError>((me.id.clone(), answer))
        }
        .await;
        let (me, answer) = logged_if_failed(looked)?;
        let since = request.created_at - chrono::Duration::minutes(1);
        answer["data"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|event| {
                event["sender_id"].as_str() == Some(me.as_str())
                    && event["text"].as_str().map(str::trim) == Some(request.text.trim())
                    && event["created_at"]
                        .as_str()
                        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
                        .is_some_and(|at| at >= since)
            })
            .and_then(|event| event["id"].as_str())
            .map(str::to_owned)
    }

    /// DM events: the API has no `since_id`, so pages are read until the newest event stored
    /// last time (the cursor) comes by.
    async fn fetch_dms(&self, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let me = self.me().await?;
        let mut answers = Vec::new();
        let mut token: Option<String> = None;
        let mut newest: Option<String> = None;
        'pages: for _ in 0..PAGES {
            let mut query = vec![
                ("max_results", "100".to_owned()),
                ("event_types", "MessageCreate".to_owned()),
                ("dm_event.fields", DM_FIELDS.to_owned()),
                ("expansions", DM_EXPANSIONS.to_owned()),
                ("user.fields", USER_FIELDS.to_owned()),
            ];
            if let Some(token) = &token {
                query.push(("pagination_token", token.clone()));
            }
            let mut answer = self.client.get("dm_events", "/dm_events", &query).await?;
            let mut known = false;
            if let Some(events) = answer["data"].as_array_mut() {
                // Newest first: keep events until the first one already stored.
                let keep = events
                    .iter()
                    .position(|e| {
                        let id = e["id"].as_str().unwrap_or("");
                        cursor.is_some_and(|seen| !newer(id, seen))
                    })
                    .unwrap_or(events.len());
                known = keep < events.len();
                events.truncate(keep);
                for id in events.iter().filter_map(|e| e["id"].as_str()) {
                    if newest.as_deref().is_none_or(|n| newer(id, n)) {
                        newest = Some(id.to_owned());
                    }
                }
            }
            let next = answer["meta"]["next_token"].as_str().map(str::to_owned);
            answers.push(answer);
            // The first sync reads one page: the newest hundred events.
            if known || cursor.is_none() {
                break 'pages;
            }
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        let now = self.clock.now();
        let mut items: Vec<_> = answers
            .iter()
            .flat_map(|a| dm_items(a, &me.id, now))
            .collect();
        Self::name_the_brand(&mut items, me);
        Ok(FetchPage {
            items,
            cursor: newest.or(cursor.map(str::to_owned)),
            more: false,
            resume: None,
        })
    }

    /// One small read of each thing hark syncs; each refusal kept with X's reason.
    pub async fn check_access(&self) -> NetworkResult<Vec<(&'static str, String)>> {
        let me = self.me().await?.id.clone();
        let mut probes = vec![(
            "mentions",
            "mentions",
            format!("/users/{me}/mentions"),
            vec![("max_results", "5".to_owned())],
        )];
        if self.dms {
            probes.push((
                "DMs (dm.read)",
                "dm_events",
                "/dm_events".to_owned(),
                vec![("max_results", "1".to_owned())],
            ));
        }
        if let Some(search) = self.searches.first() {
            probes.push((
                "searches",
                "search",
                "/tweets/search/recent".to_owned(),
                vec![("query", search.clone()), ("max_results", "10".to_owned())],
            ));
        }
        let mut refused = Vec::new();
        for (what, endpoint, path, query) in probes {
            match self.client.get(endpoint, &path, &query).await {
                Ok(_) => {}
                Err(NetworkError::Rejected(reason) | NetworkError::Auth(reason)) => {
                    refused.push((what, reason));
                }
                Err(other) => return Err(other),
            }
        }
        Ok(refused)
    }
}

#[async_trait]
impl Network for XNetwork {
    fn kind(&self) -> NetworkKind {
        NetworkKind::X
    }

    async fn verify(&self) -> NetworkResult<String> {
        Ok(self.who_am_i().await?.handle)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            reply: true,
            like: true,
            hide: true,
            private_reply: None,
            direct_message: true,
            profile_lookup: true,
            reply_limit: POST_LIMIT,
            reply_unit: LengthUnit::XWeighted,
            signatures: false,
            dm_window: None,
        }
    }

    fn streams(&self) -> Vec<&'static str> {
        let mut streams = vec![MENTIONS];
        if self.dms {
            streams.push(DMS);
        }
        if !self.searches.is_empty() {
            streams.push(SEARCHES);
        }
        streams
    }

    async fn fetch_since(&self, stream: &str, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        match stream {
            MENTIONS => self.fetch_mentions(cursor).await,
            DMS => self.fetch_dms(cursor).await,
            SEARCHES => self.fetch_searches(cursor).await,
            other => Err(NetworkError::Rejected(format!("no stream '{other}' on X"))),
        }
    }

    async fn reply(&self, request: &ReplyRequest) -> NetworkResult<SentReply> {
        if request.kind == ConversationKind::Dm {
            // A one-to-one conversation (its id is the two user ids) is answered through the
            // customer; a group through its own id.
            let conversation = match &request.recipient {
                Some(recipient) if request.root_remote_id.contains('-') => {
                    format!("/dm_conversations/with/{recipient}")
                }
                _ => format!("/dm_conversations/{}", request.root_remote_id),
            };
            // As for posts: an earlier attempt whose answer never came may have sent it.
            if request.attempt > 1
                && let Some(remote_id) = self.earlier_dm(&conversation, request).await
            {
                return Ok(SentReply { remote_id });
            }
            let path = format!("{conversation}/messages");
            let answer = self
                .client
                .send(
                    "dm:send",
                    Method::POST,
                    &path,
                    Some(&json!({ "text": request.text })),
                )
                .await?;
            return answer["data"]["dm_event_id"]
                .as_str()
                .map(|id| SentReply {
                    remote_id: id.to_owned(),
                })
                .ok_or_else(|| NetworkError::Malformed("a sent DM without an id".into()));
        }
        let target = request
            .in_reply_to
            .clone()
            .unwrap_or_else(|| request.root_remote_id.clone());
        // X has no idempotency key: an earlier attempt whose answer never came may have posted.
        if request.attempt > 1
            && let Some(remote_id) = self.earlier_reply(&target, request).await
        {
            return Ok(SentReply { remote_id });
        }
        let body = json!({ "text": request.text, "reply": { "in_reply_to_tweet_id": target } });
        let answer = self
            .client
            .send("tweets:create", Method::POST, "/tweets", Some(&body))
            .await?;
        answer["data"]["id"]
            .as_str()
            .map(|id| SentReply {
                remote_id: id.to_owned(),
            })
            .ok_or_else(|| NetworkError::Malformed("a created post without an id".into()))
    }

    async fn set_liked(&self, remote_id: &str, liked: bool) -> NetworkResult<()> {
        let me = self.me().await?.id.clone();
        if liked {
            self.client
                .send(
                    "likes",
                    Method::POST,
                    &format!("/users/{me}/likes"),
                    Some(&json!({ "tweet_id": remote_id })),
                )
                .await?;
        } else {
            self.client
                .send(
                    "likes",
                    Method::DELETE,
                    &format!("/users/{me}/likes/{remote_id}"),
                    None,
                )
                .await?;
        }
        Ok(())
    }

    /// Hides a reply under one of the brand's posts (X allows nothing else).
    async fn set_hidden(&self, remote_id: &str, hidden: bool) -> NetworkResult<()> {
        self.client
            .send(
                "hidden",
                Method::PUT,
                &format!("/tweets/{remote_id}/hidden"),
                Some(&json!({ "hidden": hidden })),
            )
            .await?;
        Ok(())
    }

    async fn send_direct_message(
        &self,
        recipient_remote_id: &str,
        text: &str,
    ) -> NetworkResult<RemoteMessage> {
        let me = self.me().await?.clone();
        let path = format!("/dm_conversations/with/{recipient_remote_id}/messages");
        let answer = self
            .client
            .send(
                "dm:send",
                Method::POST,
                &path,
                Some(&json!({ "text": text })),
            )
            .await?;
        let id = answer["data"]["dm_event_id"]
            .as_str()
            .ok_or_else(|| NetworkError::Malformed("a sent DM without an id".into()))?;
        Ok(RemoteMessage {
            remote_id: id.to_owned(),
            parent_remote_id: None,
            direction: crate::model::Direction::Out,
            author: RemoteContact {
                remote_id: me.id.clone(),
                handle: format!("@{}", me.username),
                name: None,
                avatar_url: None,
                bio: None,
                followers: None,
                profile_url: None,
            },
            text: text.to_owned(),
            created_at: self.clock.now(),
            liked: false,
            hidden: None,
            raw: answer.into(),
        })
    }

    async fn profile(&self, remote_id: &str) -> NetworkResult<RemoteContact> {
        let answer = self
            .client
            .get(
                "users",
                &format!("/users/{remote_id}"),
                &[("user.fields", USER_FIELDS.to_owned())],
            )
            .await?;
        Ok(parse::contact(&answer["data"]))
    }
}

/// What a look for an earlier attempt's send found; a failed look is logged and finds nothing
/// (the reply is then sent).
fn logged_if_failed<T>(looked: NetworkResult<T>) -> Option<T> {
    looked
        .inspect_err(|error| tracing::warn!(%error, "could not look for an earlier attempt's send"))
        .ok()
}

/// Whether a post's text is the reply that was sent: X may put the handles it answers in front.
fn same_reply(posted: &str, sent: &str) -> bool {
    posted
        .trim()
        .strip_suffix(sent.trim())
        .is_some_and(|before| before.split_whitespace().all(|word| word.starts_with('@')))
}

#[cfg(test)]
mod tests {
    use super::same_reply;

    #[test]
    fn a_reply_is_recognised_behind_the_handles_x_puts_in_front() {
        assert!(same_reply("Thanks, on its way!", "Thanks, on its way!"));
        assert!(same_reply("@minji @shop Thanks!", "Thanks!"));
        assert!(same_reply("@minji @ana hi", "@ana hi"));
        assert!(!same_reply("@minji Thanks! 🎉", "Thanks!"));
        assert!(!same_reply("Oh Thanks!", "Thanks!"));
    }
}
