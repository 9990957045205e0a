//! Instagram professional accounts through the Graph API (Instagram API with Facebook Login):
//! comments and replies on the account's media, each person's comment thread a conversation;
//! Instagram DMs through the linked Page; media the account is tagged in, as mentions. Replies
//! go to top-level comments only and never to hidden ones; comments can be hidden but not liked
//! (the API has no comment like).

pub mod parse;

use async_trait::async_trait;

use self::parse::{MediaInfo, comment_items, tagged_item};
use super::graph::client::{GraphClient, expect_success};
use super::graph::messaging::{self, Platform, page_of_items};
use super::graph::window;
use super::{
    Capabilities, FetchPage, LengthUnit, Network, NetworkError, NetworkResult, ReplyRequest,
    SentReply,
};
use crate::clock::SharedClock;
use crate::model::{ConversationKind, NetworkKind};

pub const COMMENTS: &str = "comments";
pub const DMS: &str = "dms";
/// Media the account is tagged in, as mentions.
pub const TAGS: &str = "tags";

/// Media asked for per page, and pages looked through: comments on media older than the
/// newest 50 are not synced.
const MEDIA_PER_PAGE: usize = 25;
const MEDIA_PAGES: usize = 2;
/// Comments asked for per page, and pages read per media in one sync.
const COMMENTS_PER_PAGE: usize = 50;
const COMMENT_PAGES: usize = 5;
/// Instagram's longest comment, in characters.
const COMMENT_LIMIT: usize = 2200;

/// Ads asked for per page, and pages read: the ad account's newest 100 ads.
const ADS_PER_PAGE: usize = 50;
const AD_PAGES: usize = 2;
const AD_FIELDS: &str = "id,name,effective_status,creative{effective_instagram_media_id}";

const TAG_FIELDS: &str = "id,caption,timestamp,username,permalink,media_type";
const MEDIA_FIELDS: &str = "id,caption,timestamp,comments_count,permalink";
const COMMENT_FIELDS: &str = "id,text,timestamp,username,from{id,username},like_count,hidden,\
                              parent_id,replies{id,text,timestamp,username,from{id,username},hidden,parent_id}";

pub struct InstagramNetwork {
    graph: GraphClient,
    /// The Instagram professional account's id.
    ig_user_id: String,
    /// The Facebook Page linked to it (DMs and private replies go through it).
    page_id: String,
    username: Option<String>,
    clock: SharedClock,
    human_agent: bool,
    /// The ad account whose ads' Instagram media are read for ad comments ("act_…").
    ad_account: Option<String>,
}

impl InstagramNetwork {
    pub fn new(
        graph: GraphClient,
        ig_user_id: String,
        page_id: String,
        clock: SharedClock,
    ) -> InstagramNetwork {
        InstagramNetwork {
            graph,
            ig_user_id,
            page_id,
            username: None,
            clock,
            human_agent: false,
            ad_account: None,
        }
    }

    /// Also reads comments on the Instagram media of this ad account's ads ("act_123" or
    /// "123").
    pub fn with_ad_account(mut self, ad_account: Option<String>) -> InstagramNetwork {
        self.ad_account = ad_account
            .map(|id| id.trim().trim_start_matches("act_").to_owned())
            .filter(|id| !id.is_empty())
            .map(|id| format!("act_{id}"));
        self
    }

    /// The account's username, to tell its own replies apart where the API gives no id.
    pub fn with_username(mut self, username: Option<String>) -> InstagramNetwork {
        self.username = username.map(|u| u.trim_start_matches('@').to_owned());
        self
    }

    pub fn with_human_agent(mut self, human_agent: bool) -> InstagramNetwork {
        self.human_agent = human_agent;
        self
    }

    /// Finds the Instagram professional account linked to a Page: (id, username).
    pub async fn linked_account(
        graph: &GraphClient,
        page_id: &str,
    ) -> NetworkResult<(String, Option<String>)> {
        let page = graph
            .get(
                page_id,
                &[(
                    "fields",
                    "id,name,instagram_business_account{id,username}".to_owned(),
                )],
            )
            .await?;
        let account = &page["instagram_business_account"];
        match account["id"].as_str() {
            Some(id) => Ok((
                id.to_owned(),
                account["username"].as_str().map(str::to_owned),
            )),
            None => Err(NetworkError::Rejected(format!(
                "the Page {} has no Instagram professional account linked (link one in the \
                 Page's settings, or the token lacks instagram_basic)",
                page["name"].as_str().unwrap_or(page_id)
            ))),
        }
    }

    /// One small read of each thing hark syncs; each refusal kept with the API's reason.
    pub async fn check_access(&self) -> NetworkResult<Vec<(&'static str, String)>> {
        let probes = [
            (
                "comments on the account's media",
                format!("{}/media", self.ig_user_id),
                vec![("limit", "1".to_owned())],
            ),
            (
                "Instagram DMs",
                format!("{}/conversations", self.page_id),
                vec![
                    ("platform", "instagram".to_owned()),
                    ("limit", "1".to_owned()),
                ],
            ),
        ];
        let ads = self.ad_account.as_ref().map(|ad_account| {
            (
                "the ad account's ads (comments on ads)",
                format!("{ad_account}/ads"),
                vec![("limit", "1".to_owned())],
            )
        });
        let mut refused = Vec::new();
        for (what, path, query) in probes.into_iter().chain(ads) {
            match self.graph.get(&path, &query).await {
                Ok(_) => {}
                Err(NetworkError::Rejected(reason)) => refused.push((what, reason)),
                Err(other) => return Err(other),
            }
        }
        Ok(refused)
    }

    /// Media the account was tagged in since `cursor`, newest first as the API lists them.
    async fn fetch_tags(&self, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let since = messaging::since(cursor, self.clock.now());
        let mut page = self
            .graph
            .get(
                &format!("{}/tags", self.ig_user_id),
                &[
                    ("fields", TAG_FIELDS.to_owned()),
                    ("limit", MEDIA_PER_PAGE.to_string()),
                ],
            )
            .await?;
        let mut items = Vec::new();
        'pages: for _ in 0..MEDIA_PAGES {
            for media in page["data"].as_array().into_iter().flatten() {
                let Some(item) = tagged_item(media) else {
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
        Ok(page_of_items(items, cursor))
    }

    /// The Instagram media of the ad account's ads, which `/media` does not list (an ad's media
    /// is often never posted to the profile). Without `ads_read` this says so in the log and
    /// the account's own media still sync.
    async fn ad_media(&self) -> NetworkResult<Vec<MediaInfo>> {
        let Some(ad_account) = &self.ad_account else {
            return Ok(Vec::new());
        };
        let mut page = match self
            .graph
            .get(
                &format!("{ad_account}/ads"),
                &[
                    ("fields", AD_FIELDS.to_owned()),
                    ("limit", ADS_PER_PAGE.to_string()),
                ],
            )
            .await
        {
            Ok(page) => page,
            Err(NetworkError::Rejected(reason)) => {
                tracing::warn!(%reason, "cannot read the ad account's ads; Instagram ad comments are skipped");
                return Ok(Vec::new());
            }
            Err(other) => return Err(other),
        };
        let mut media: Vec<MediaInfo> = Vec::new();
        for _ in 0..AD_PAGES {
            for ad in page["data"].as_array().into_iter().flatten() {
                // Several ads often run the same media: its comments are read once.
                if let Some(info) = MediaInfo::from_ad(ad)
                    && !media.iter().any(|m| m.id == info.id)
                {
                    media.push(info);
                }
            }
            match page["paging"]["next"].as_str() {
                Some(next) => page = self.graph.get_url(next).await?,
                None => break,
            }
        }
        Ok(media)
    }

    async fn fetch_comments(&self, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let since = messaging::since(cursor, self.clock.now());
        let mut media = Vec::new();
        let mut page = self
            .graph
            .get(
                &format!("{}/media", self.ig_user_id),
                &[
                    ("fields", MEDIA_FIELDS.to_owned()),
                    ("limit", MEDIA_PER_PAGE.to_string()),
                ],
            )
            .await?;
        for _ in 0..MEDIA_PAGES {
            for item in page["data"].as_array().into_iter().flatten() {
                // Media nobody commented on need no call.
                if item["comments_count"].as_u64() == Some(0) {
                    continue;
                }
                media.extend(MediaInfo::from_json(item));
            }
            match page["paging"]["next"].as_str() {
                Some(next) => page = self.graph.get_url(next).await?,
                None => break,
            }
        }
        for ad_media in self.ad_media().await? {
            if !media.iter().any(|m| m.id == ad_media.id) {
                media.push(ad_media);
            }
        }
        let mut items = Vec::new();
        for info in &media {
            let mut page = self
                .graph
                .get(
                    &format!("{}/comments", info.id),
                    &[
                        ("fields", COMMENT_FIELDS.to_owned()),
                        ("limit", COMMENTS_PER_PAGE.to_string()),
                    ],
                )
                .await?;
            // Ids already read from this media: a server that repeats a page adds nothing.
            let mut seen = std::collections::HashSet::new();
            for _ in 0..COMMENT_PAGES {
                let mut any_new = false;
                for comment in page["data"].as_array().into_iter().flatten() {
                    let thread =
                        comment_items(comment, info, &self.ig_user_id, self.username.as_deref());
                    let new: Vec<_> = thread
                        .into_iter()
                        .filter(|item| item.message.created_at >= since)
                        .filter(|item| seen.insert(item.message.remote_id.clone()))
                        .collect();
                    any_new |= !new.is_empty();
                    items.extend(new);
                }
                // Newest first: a page with nothing new means the rest is old (or repeated).
                if !any_new {
                    break;
                }
                match page["paging"]["next"].as_str() {
                    Some(next) => page = self.graph.get_url(next).await?,
                    None => break,
                }
            }
        }
        Ok(page_of_items(items, cursor))
    }
}

#[async_trait]
impl Network for InstagramNetwork {
    fn kind(&self) -> NetworkKind {
        NetworkKind::Instagram
    }

    async fn verify(&self) -> NetworkResult<String> {
        let account = self
            .graph
            .get(&self.ig_user_id, &[("fields", "id,username".to_owned())])
            .await?;
        Ok(format!(
            "@{}",
            account["username"].as_str().unwrap_or(&self.ig_user_id)
        ))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            reply: true,
            like: false,
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
        vec![COMMENTS, DMS, TAGS]
    }

    async fn fetch_since(&self, stream: &str, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        match stream {
            COMMENTS => self.fetch_comments(cursor).await,
            DMS => {
                let since = messaging::since(cursor, self.clock.now());
                messaging::fetch_conversations(
                    &self.graph,
                    &self.page_id,
                    &self.ig_user_id,
                    Platform::Instagram,
                    since,
                    cursor,
                )
                .await
            }
            TAGS => self.fetch_tags(cursor).await,
            other => Err(NetworkError::Rejected(format!(
                "Instagram has no stream '{other}'"
            ))),
        }
    }

    /// Replies go to the top-level comment (the conversation's root), which must not be hidden.
    async fn reply(&self, request: &ReplyRequest) -> NetworkResult<SentReply> {
        if request.kind == ConversationKind::Dm {
            return messaging::send(
                &self.graph,
                &self.page_id,
                request,
                self.clock.now(),
                self.human_agent,
            )
            .await;
        }
        let root = &request.root_remote_id;
        if request.kind == ConversationKind::Mention {
            // A comment on someone else's media the brand was mentioned in.
            let answer = self
                .graph
                .post_form(
                    &format!("{}/mentions", self.ig_user_id),
                    &[
                        ("media_id", root.clone()),
                        ("message", request.text.clone()),
                    ],
                )
                .await?;
            let remote_id = answer["id"]
                .as_str()
                .ok_or_else(|| NetworkError::Malformed("a new comment without an id".into()))?;
            return Ok(SentReply {
                remote_id: remote_id.to_owned(),
            });
        }
        let state = self
            .graph
            .get(root, &[("fields", "id,hidden".to_owned())])
            .await?;
        if state["hidden"].as_bool() == Some(true) {
            return Err(NetworkError::Rejected(
                "Instagram takes no replies to a hidden comment: show it again first (H)".into(),
            ));
        }
        let answer = self
            .graph
            .post_form(
                &format!("{root}/replies"),
                &[("message", request.text.clone())],
            )
            .await?;
        let remote_id = answer["id"]
            .as_str()
            .ok_or_else(|| NetworkError::Malformed("a new reply without an id".into()))?;
        Ok(SentReply {
            remote_id: remote_id.to_owned(),
        })
    }

    async fn set_liked(&self, _remote_id: &str, _liked: bool) -> NetworkResult<()> {
        Err(NetworkError::Unsupported {
            network: "Instagram",
            action: "liking a comment (the API has no comment like)",
        })
    }

    async fn set_hidden(&self, remote_id: &str, hidden: bool) -> NetworkResult<()> {
        let answer = self
            .graph
            .post_form(remote_id, &[("hide", hidden.to_string())])
            .await?;
        expect_success(&answer)
    }

    async fn private_reply(&self, comment_remote_id: &str, text: &str) -> NetworkResult<SentReply> {
        messaging::private_reply(&self.graph, &self.page_id, comment_remote_id, text).await
    }
}
