//! Facebook Pages through the Graph API: comments (and replies) on the Page's posts and on its
//! ad posts, each person's thread under a post a conversation of its own; replying, liking,
//! hiding and private replies to comments; Messenger conversations, answered inside the window
//! the customer's last message opened (24 hours, 7 with the human-agent tag).

pub mod parse;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

use self::parse::{PostInfo, comment_item};
use super::graph::client::{GraphClient, expect_success, parse_time};
use super::graph::messaging::{self, Platform, page_of_items};
use super::graph::window;
use super::{
    Capabilities, FetchPage, LengthUnit, Network, NetworkError, NetworkResult, ReplyRequest,
    SentReply,
};
use crate::clock::SharedClock;
use crate::model::{ConversationKind, IncomingItem, NetworkKind};

pub const COMMENTS: &str = "comments";
pub const MESSENGER: &str = "messenger";

/// Posts asked for per page, and how many pages of the Page's feed are looked through for new
/// comments: comments on posts older than the newest 100 are not synced.
const POSTS_PER_PAGE: usize = 25;
const POST_PAGES: usize = 4;
/// Comments asked for per page, and pages read per post in one sync.
const COMMENTS_PER_PAGE: usize = 50;
const COMMENT_PAGES: usize = 10;
/// Facebook's longest comment, in characters.
const COMMENT_LIMIT: usize = 8000;

const POST_FIELDS: &str = "id,message,story,created_time,updated_time";
const COMMENT_FIELDS: &str = "id,message,created_time,from{id,name},parent{id},attachment,\
                              permalink_url,like_count,user_likes,can_hide,is_hidden,\
                              can_reply_privately";

pub struct FacebookNetwork {
    graph: GraphClient,
    page_id: String,
    clock: SharedClock,
    /// Whether the app may tag replies HUMAN_AGENT (7 days instead of 24 hours).
    human_agent: bool,
}

impl FacebookNetwork {
    pub fn new(graph: GraphClient, page_id: String, clock: SharedClock) -> FacebookNetwork {
        FacebookNetwork {
            graph,
            page_id,
            clock,
            human_agent: false,
        }
    }

    /// Lets Messenger replies use the human-agent tag (needs Meta's Human Agent feature).
    pub fn with_human_agent(mut self, human_agent: bool) -> FacebookNetwork {
        self.human_agent = human_agent;
        self
    }

    /// Checks the token against the Page: its name, then one small read of each thing hark
    /// syncs, each refusal kept with the reason the API gave (it names the missing permission).
    pub async fn check_access(&self) -> NetworkResult<Access> {
        let page = self
            .graph
            .get(&self.page_id, &[("fields", "id,name".to_owned())])
            .await?;
        let page_name = page["name"].as_str().unwrap_or(&self.page_id).to_owned();
        let probes = [
            ("comments on the Page's posts", "feed", vec![]),
            (
                "Messenger conversations",
                "conversations",
                vec![("platform", "messenger".to_owned())],
            ),
        ];
        let mut refused = Vec::new();
        for (what, edge, extra) in probes {
            let mut query = vec![("limit", "1".to_owned())];
            query.extend(extra);
            match self
                .graph
                .get(&format!("{}/{edge}", self.page_id), &query)
                .await
            {
                Ok(_) => {}
                Err(NetworkError::Rejected(reason)) => refused.push((what, reason)),
                Err(other) => return Err(other),
            }
        }
        Ok(Access { page_name, refused })
    }

    /// Messenger conversations updated since `cursor`.
    async fn fetch_messenger(&self, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let since = messaging::since(cursor, self.clock.now());
        messaging::fetch_conversations(
            &self.graph,
            &self.page_id,
            &self.page_id,
            Platform::Messenger,
            since,
            cursor,
        )
        .await
    }

    async fn send_message(&self, request: &ReplyRequest) -> NetworkResult<SentReply> {
        messaging::send(
            &self.graph,
            &self.page_id,
            request,
            self.clock.now(),
            self.human_agent,
        )
        .await
    }

    /// The Page's recent posts that may hold comments newer than `since`, then its ad posts.
    async fn posts_to_check(&self, since: DateTime<Utc>) -> NetworkResult<Vec<PostInfo>> {
        let mut posts = Vec::new();
        let query = [
            ("fields", POST_FIELDS.to_owned()),
            ("limit", POSTS_PER_PAGE.to_string()),
        ];
        let mut page = self
            .graph
            .get(&format!("{}/feed", self.page_id), &query)
            .await?;
        for _ in 0..POST_PAGES {
            collect_posts(&page, since, false, &mut posts);
            match page["paging"]["next"].as_str() {
                Some(next) => page = self.graph.get_url(next).await?,
                None => break,
            }
        }
        // Ad posts are not in the feed. Reading them needs the ads permissions: without them,
        // say so in the log and sync the rest.
        let ads = self
            .graph
            .get(
                &format!("{}/ads_posts", self.page_id),
                &[
                    ("fields", POST_FIELDS.to_owned()),
                    ("limit", POSTS_PER_PAGE.to_string()),
                    ("include_inline_create", "true".to_owned()),
                ],
            )
            .await;
        match ads {
            Ok(page) => collect_posts(&page, since, true, &mut posts),
            Err(NetworkError::Rejected(reason)) => {
                tracing::warn!(%reason, "cannot read the Page's ad posts; ad comments are skipped");
            }
            Err(other) => return Err(other),
        }
        Ok(posts)
    }

    /// The comments on one post from `since` on, newest first as the API gives them.
    async fn comments_since(
        &self,
        post: &PostInfo,
        since: DateTime<Utc>,
    ) -> NetworkResult<Vec<IncomingItem>> {
        let mut items = Vec::new();
        let query = [
            ("filter", "stream".to_owned()),
            ("order", "reverse_chronological".to_owned()),
            ("fields", COMMENT_FIELDS.to_owned()),
            ("limit", COMMENTS_PER_PAGE.to_string()),
            ("since", since.timestamp().to_string()),
        ];
        let mut page = self
            .graph
            .get(&format!("{}/comments", post.id), &query)
            .await?;
        'pages: for _ in 0..COMMENT_PAGES {
            for comment in page["data"].as_array().into_iter().flatten() {
                let Some(item) = comment_item(comment, post, &self.page_id) else {
                    tracing::debug!("skipped a comment without an id or a time");
                    continue;
                };
                if item.message.created_at < since {
                    break 'pages;
                }
                items.push(item);
            }
            match page["paging"]["next"].as_str() {
                Some(next) => page = self.graph.get_url(next).await?,
                None => break,
            }
        }
        Ok(items)
    }
}

/// What the token may do on the Page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub page_name: String,
    /// What cannot be synced, and why.
    pub refused: Vec<(&'static str, String)>,
}

fn collect_posts(page: &Value, since: DateTime<Utc>, is_ad: bool, posts: &mut Vec<PostInfo>) {
    for post in page["data"].as_array().into_iter().flatten() {
        // A post's `updated_time` moves with each new comment: older ones have nothing new.
        let touched = parse_time(&post["updated_time"]).or(parse_time(&post["created_time"]));
        if touched.is_some_and(|t| t < since) {
            continue;
        }
        if let Some(info) = PostInfo::from_json(post, is_ad)
            && !posts.iter().any(|p: &PostInfo| p.id == info.id)
        {
            posts.push(info);
        }
    }
}

#[async_trait]
impl Network for FacebookNetwork {
    fn kind(&self) -> NetworkKind {
        NetworkKind::Facebook
    }

    async fn verify(&self) -> NetworkResult<String> {
        let page = self
            .graph
            .get(&self.page_id, &[("fields", "id,name".to_owned())])
            .await?;
        Ok(page["name"].as_str().unwrap_or(&self.page_id).to_owned())
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            reply: true,
            like: true,
            hide: true,
            private_reply: Some(window::PRIVATE_REPLY_WINDOW),
            direct_message: true,
            profile_lookup: false,
            reply_limit: COMMENT_LIMIT,
            reply_unit: LengthUnit::Characters,
            signatures: true,
            dm_window: Some(self.human_agent),
        }
    }

    fn streams(&self) -> Vec<&'static str> {
        vec![COMMENTS, MESSENGER]
    }

    /// The cursor is the Unix time of the newest comment seen; comments of that same second
    /// are read again (the store keeps one copy of each).
    async fn fetch_since(&self, stream: &str, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        if stream == MESSENGER {
            return self.fetch_messenger(cursor).await;
        }
        if stream != COMMENTS {
            return Err(NetworkError::Rejected(format!(
                "Facebook has no stream '{stream}'"
            )));
        }
        let since = messaging::since(cursor, self.clock.now());
        let mut items = Vec::new();
        for post in self.posts_to_check(since).await? {
            items.extend(self.comments_since(&post, since).await?);
        }
        Ok(page_of_items(items, cursor))
    }

    /// A reply goes under the top-level comment (the conversation's root): Facebook threads
    /// are two levels deep.
    async fn reply(&self, request: &ReplyRequest) -> NetworkResult<SentReply> {
        if request.kind == ConversationKind::Dm {
            return self.send_message(request).await;
        }
        if !matches!(
            request.kind,
            ConversationKind::Comment | ConversationKind::AdComment
        ) {
            return Err(self.unsupported("this kind of conversation"));
        }
        let answer = self
            .graph
            .post_form(
                &format!("{}/comments", request.root_remote_id),
                &[("message", request.text.clone())],
            )
            .await?;
        let remote_id = answer["id"]
            .as_str()
            .ok_or_else(|| NetworkError::Malformed("a new comment without an id".into()))?;
        Ok(SentReply {
            remote_id: remote_id.to_owned(),
        })
    }

    async fn set_liked(&self, remote_id: &str, liked: bool) -> NetworkResult<()> {
        let path = format!("{remote_id}/likes");
        let answer = if liked {
            self.graph.post_form(&path, &[]).await?
        } else {
            self.graph.delete(&path).await?
        };
        expect_success(&answer)
    }

    async fn set_hidden(&self, remote_id: &str, hidden: bool) -> NetworkResult<()> {
        let answer = self
            .graph
            .post_form(remote_id, &[("is_hidden", hidden.to_string())])
            .await?;
        expect_success(&answer)
    }

    /// A private reply: one Messenger message to the comment's author, once per comment and
    /// within 7 days of it (the API refuses otherwise, and says why).
    async fn private_reply(&self, comment_remote_id: &str, text: &str) -> NetworkResult<SentReply> {
        messaging::private_reply(&self.graph, &self.page_id, comment_remote_id, text).await
    }
}
