//! Mastodon: mentions (from notifications) and direct messages (from conversations), each with
//! its whole thread, replies in the same visibility with an idempotency key, and favourites.
//! Follows the Mastodon API docs; paging by `min_id` and the `Link` header.

pub mod api;
pub mod auth;
pub mod model;

use async_trait::async_trait;
use futures_util::{StreamExt as _, stream};
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

use self::api::{Client, Links};
use self::model::{Account, Context, Conversation, Notification, Status};
use super::{
    Capabilities, FetchPage, LengthUnit, Network, NetworkError, NetworkResult, ReplyRequest,
    SentReply,
};
use crate::model::{
    ConversationKind, Direction, IncomingItem, NetworkKind, RemoteContact, RemoteMessage,
};

pub const MENTIONS: &str = "mentions";
pub const DMS: &str = "dms";

/// Items asked for per page (the API's maximum for these endpoints).
const PAGE: usize = 40;
/// How many pages of history the first sync of an account reads.
const BACKFILL_PAGES: usize = 5;
/// Mastodon's default status length.
const DEFAULT_LIMIT: usize = 500;
/// Threads of mentions fetched at the same time (one request each).
const THREADS_AT_ONCE: usize = 4;

pub struct MastodonNetwork {
    client: Client,
    me: OnceCell<Account>,
    /// Closing a mention dismisses its notifications on the server.
    dismiss_on_close: bool,
}

impl MastodonNetwork {
    pub fn new(client: Client) -> MastodonNetwork {
        MastodonNetwork {
            client,
            me: OnceCell::new(),
            dismiss_on_close: false,
        }
    }

    /// Dismiss a mention's notifications on the server when it is closed in hark (off by
    /// default: other people using the brand's Mastodon apps would no longer see them).
    pub fn dismissing_on_close(mut self, dismiss: bool) -> MastodonNetwork {
        self.dismiss_on_close = dismiss;
        self
    }

    /// The account the token belongs to (asked once).
    pub async fn me(&self) -> NetworkResult<&Account> {
        self.me
            .get_or_try_init(|| async {
                let (account, _) = self
                    .client
                    .get::<Account>("/api/v1/accounts/verify_credentials", &[])
                    .await?;
                Ok(account)
            })
            .await
    }

    /// The statuses before and after one in its thread, each with its JSON.
    async fn context(&self, status_id: &str) -> NetworkResult<Vec<(Status, serde_json::Value)>> {
        let (value, _) = self
            .client
            .get::<serde_json::Value>(&format!("/api/v1/statuses/{status_id}/context"), &[])
            .await?;
        // Checks the shape, then keeps each status's own JSON.
        let _: Context = typed(value.clone())?;
        let mut statuses = Vec::new();
        for part in ["ancestors", "descendants"] {
            for item in value
                .get(part)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                if let Some(status) = parse_item::<Status>(item.clone(), "status") {
                    statuses.push((status, item.clone()));
                }
            }
        }
        Ok(statuses)
    }

    /// A mention or DM with the exchange around it, as items of one conversation.
    async fn thread_items(
        &self,
        status: Status,
        raw: serde_json::Value,
        kind: ConversationKind,
        root: Option<String>,
        customer: &Account,
    ) -> NetworkResult<Vec<IncomingItem>> {
        let me = self.me().await?.id.clone();
        let mut statuses = self.context(&status.id).await?;
        statuses.push((status.clone(), raw));
        statuses.sort_by(|a, b| compare_ids(&a.0.id, &b.0.id));
        // The thread's first status names the conversation (for DMs, the server's conversation).
        let root = root.unwrap_or_else(|| {
            statuses
                .first()
                .map_or(status.id.clone(), |s| s.0.id.clone())
        });
        let customer = contact(customer);
        Ok(statuses
            .into_iter()
            .filter(|(s, _)| s.reblog.is_none())
            .map(|(s, raw)| IncomingItem {
                kind,
                root_remote_id: root.clone(),
                subject: None,
                customer: customer.clone(),
                message: message(&s, raw, &me),
            })
            .collect())
    }

    /// Mentions, a page at a time, each page stored with its cursor before the next is asked
    /// for: first the newest page, then older pages of history (up to `BACKFILL_PAGES`), then
    /// forward with `min_id` from the newest seen.
    async fn fetch_mentions(&self, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let position = MentionsCursor::parse(cursor);
        let mut query = vec![
            ("types[]", "mention".to_owned()),
            ("limit", PAGE.to_string()),
        ];
        match &position {
            MentionsCursor::Fresh => {}
            MentionsCursor::Backfill { before, .. } => query.push(("max_id", before.clone())),
            MentionsCursor::Forward { newest } => query.push(("min_id", newest.clone())),
        }
        let (page, _) = self
            .client
            .get::<Vec<serde_json::Value>>("/api/v1/notifications", &query)
            .await?;
        let full = page.len() >= PAGE;
        let mut items = Vec::new();
        let mut mentions = Vec::new();
        let (mut newest, mut oldest): (Option<String>, Option<String>) = (None, None);
        for value in page {
            let Some(notification) = parse_item::<Notification>(value.clone(), "notification")
            else {
                continue;
            };
            newest = Some(max_id(newest, &notification.id));
            oldest = Some(match oldest {
                Some(o) if compare_ids(&o, &notification.id).is_le() => o,
                _ => notification.id.clone(),
            });
            if notification.kind != "mention" {
                continue;
            }
            let Some(status) = notification.status else {
                continue;
            };
            let raw = value.get("status").cloned().unwrap_or_default();
            mentions.push((status, raw, notification.account));
        }
        // Each mention's thread is its own request: a few at a time, answers kept in order.
        let threads: Vec<NetworkResult<Vec<IncomingItem>>> = stream::iter(mentions)
            .map(|(status, raw, author)| async move {
                self.thread_items(status, raw, ConversationKind::Mention, None, &author)
                    .await
            })
            .buffered(THREADS_AT_ONCE)
            .collect()
            .await;
        for thread in threads {
            items.extend(thread?);
        }
        let (next, more) = match (position, newest, oldest) {
            (MentionsCursor::Fresh, Some(newest), Some(oldest)) if full && BACKFILL_PAGES > 1 => (
                MentionsCursor::Backfill {
                    newest,
                    before: oldest,
                    pages_left: BACKFILL_PAGES - 1,
                },
                true,
            ),
            (MentionsCursor::Fresh, Some(newest), _) => (MentionsCursor::Forward { newest }, false),
            (MentionsCursor::Fresh, None, _) => {
                return Ok(FetchPage {
                    items,
                    cursor: None,
                    more: false,
                    resume: None,
                });
            }
            (
                MentionsCursor::Backfill {
                    newest, pages_left, ..
                },
                _,
                Some(oldest),
            ) if full && pages_left > 1 => (
                MentionsCursor::Backfill {
                    newest,
                    before: oldest,
                    pages_left: pages_left - 1,
                },
                true,
            ),
            // History read: from now on, forward from the newest (which may have grown).
            (MentionsCursor::Backfill { newest, .. }, ..) => {
                (MentionsCursor::Forward { newest }, true)
            }
            (MentionsCursor::Forward { newest }, page_newest, _) => (
                MentionsCursor::Forward {
                    newest: page_newest.map_or(newest.clone(), |n| max_id(Some(newest), &n)),
                },
                full,
            ),
        };
        Ok(FetchPage {
            items,
            cursor: Some(next.to_string()),
            more,
            resume: None,
        })
    }

    async fn fetch_dms(&self, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        let mut query = vec![("limit", PAGE.to_string())];
        if let Some(newest) = cursor {
            query.push(("min_id", newest.to_owned()));
        }
        let (page, links) = self
            .client
            .get::<Vec<serde_json::Value>>("/api/v1/conversations", &query)
            .await?;
        let me = self.me().await?.clone();
        let more = cursor.is_some() && page.len() >= PAGE;
        // The conversations list pages by the id of each one's last status, not its own id.
        let mut newest =
            Links::param(links.prev.as_deref(), "min_id").or_else(|| cursor.map(str::to_owned));
        let mut items = Vec::new();
        for value in page {
            let Some(conversation) = parse_item::<Conversation>(value.clone(), "conversation")
            else {
                continue;
            };
            let Some(last) = conversation.last_status else {
                continue;
            };
            newest = Some(max_id(newest, &last.id));
            let customer = conversation
                .accounts
                .iter()
                .find(|a| a.id != me.id)
                .unwrap_or(&last.account)
                .clone();
            let raw = value.get("last_status").cloned().unwrap_or_default();
            items.extend(
                self.thread_items(
                    last,
                    raw,
                    ConversationKind::Dm,
                    Some(conversation.id),
                    &customer,
                )
                .await?,
            );
        }
        Ok(FetchPage {
            items,
            cursor: newest,
            more,
            resume: None,
        })
    }
}

#[async_trait]
impl Network for MastodonNetwork {
    fn kind(&self) -> NetworkKind {
        NetworkKind::Mastodon
    }

    async fn verify(&self) -> NetworkResult<String> {
        Ok(format!("@{}", self.me().await?.acct))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            reply: true,
            like: true,
            hide: false,
            private_reply: None,
            direct_message: true,
            profile_lookup: true,
            reply_limit: DEFAULT_LIMIT,
            reply_unit: LengthUnit::Characters,
            signatures: true,
            dm_window: None,
        }
    }

    fn streams(&self) -> Vec<&'static str> {
        vec![MENTIONS, DMS]
    }

    async fn fetch_since(&self, stream: &str, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        match stream {
            MENTIONS => self.fetch_mentions(cursor).await,
            DMS => self.fetch_dms(cursor).await,
            other => Err(NetworkError::Rejected(format!(
                "Mastodon has no stream '{other}'"
            ))),
        }
    }

    async fn reply(&self, request: &ReplyRequest) -> NetworkResult<SentReply> {
        let me = self.me().await?.clone();
        let answered = match &request.in_reply_to {
            Some(id) => Some(
                self.client
                    .get::<Status>(&format!("/api/v1/statuses/{id}"), &[])
                    .await?
                    .0,
            ),
            None => None,
        };
        // The same audience as the customer's post: a DM stays a DM.
        let visibility = match (&answered, request.kind) {
            (Some(status), _) => status.visibility.clone(),
            (None, ConversationKind::Dm) => "direct".into(),
            (None, _) => "public".into(),
        };
        let mut text = request.text.clone();
        if let Some(status) = &answered {
            // Keep everyone in the exchange: the author and whoever they mentioned, not us.
            let mut accts: Vec<&str> = vec![status.account.acct.as_str()];
            accts.extend(status.mentions.iter().map(|m| m.acct.as_str()));
            let missing: Vec<String> = accts
                .into_iter()
                .filter(|acct| *acct != me.acct && *acct != me.username)
                .map(|acct| format!("@{acct}"))
                .filter(|mention| !text.to_lowercase().contains(&mention.to_lowercase()))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            if !missing.is_empty() {
                text = format!("{} {text}", missing.join(" "));
            }
        }
        let mut form = vec![("status", text), ("visibility", visibility)];
        if let Some(id) = &request.in_reply_to {
            form.push(("in_reply_to_id", id.clone()));
        }
        let value: serde_json::Value = self
            .client
            .post("/api/v1/statuses", &form, Some(&request.idempotency_key))
            .await?;
        let status: Status = typed(value)?;
        Ok(SentReply {
            remote_id: status.id,
        })
    }

    async fn set_liked(&self, remote_id: &str, liked: bool) -> NetworkResult<()> {
        let verb = if liked { "favourite" } else { "unfavourite" };
        let _: serde_json::Value = self
            .client
            .post(&format!("/api/v1/statuses/{remote_id}/{verb}"), &[], None)
            .await?;
        Ok(())
    }

    /// Closing a direct-message conversation marks it read on the server, so the brand's other
    /// Mastodon apps agree; closing a mention dismisses its notifications when configured to.
    async fn conversation_closed(
        &self,
        kind: ConversationKind,
        root_remote_id: &str,
    ) -> NetworkResult<()> {
        if kind == ConversationKind::Dm {
            let _: serde_json::Value = self
                .client
                .post(
                    &format!("/api/v1/conversations/{root_remote_id}/read"),
                    &[],
                    None,
                )
                .await?;
        }
        if kind == ConversationKind::Mention && self.dismiss_on_close {
            let mut thread: std::collections::HashSet<String> = self
                .context(root_remote_id)
                .await?
                .into_iter()
                .map(|(s, _)| s.id)
                .collect();
            thread.insert(root_remote_id.to_owned());
            let query = [
                ("types[]", "mention".to_owned()),
                ("limit", PAGE.to_string()),
            ];
            let (recent, _) = self
                .client
                .get::<Vec<serde_json::Value>>("/api/v1/notifications", &query)
                .await?;
            for notification in recent
                .into_iter()
                .filter_map(|v| parse_item::<Notification>(v, "notification"))
            {
                if notification.status.is_some_and(|s| thread.contains(&s.id)) {
                    let _: serde_json::Value = self
                        .client
                        .post(
                            &format!("/api/v1/notifications/{}/dismiss", notification.id),
                            &[],
                            None,
                        )
                        .await?;
                }
            }
        }
        Ok(())
    }

    async fn profile(&self, remote_id: &str) -> NetworkResult<RemoteContact> {
        let (account, _) = self
            .client
            .get::<Account>(&format!("/api/v1/accounts/{remote_id}"), &[])
            .await?;
        Ok(contact(&account))
    }

    async fn fetch_thread(&self, root_remote_id: &str) -> NetworkResult<Vec<IncomingItem>> {
        let (value, _) = self
            .client
            .get::<serde_json::Value>(&format!("/api/v1/statuses/{root_remote_id}"), &[])
            .await?;
        let status: Status = typed(value.clone())?;
        let author = status.account.clone();
        self.thread_items(status, value, ConversationKind::Mention, None, &author)
            .await
    }
}

/// Where the mentions stream stands. Written as the newest id ("230") once history is read, or
/// "230/before:191/pages:3" while older pages are still being read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MentionsCursor {
    Fresh,
    Backfill {
        newest: String,
        before: String,
        pages_left: usize,
    },
    Forward {
        newest: String,
    },
}

impl MentionsCursor {
    fn parse(cursor: Option<&str>) -> MentionsCursor {
        let Some(text) = cursor.filter(|t| !t.is_empty()) else {
            return MentionsCursor::Fresh;
        };
        let mut parts = text.split('/');
        let newest = parts.next().unwrap_or_default().to_owned();
        let before = parts
            .next()
            .and_then(|p| p.strip_prefix("before:"))
            .map(str::to_owned);
        let pages = parts
            .next()
            .and_then(|p| p.strip_prefix("pages:"))
            .and_then(|p| p.parse().ok());
        match (before, pages) {
            (Some(before), Some(pages_left)) => MentionsCursor::Backfill {
                newest,
                before,
                pages_left,
            },
            _ => MentionsCursor::Forward { newest },
        }
    }
}

impl std::fmt::Display for MentionsCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MentionsCursor::Fresh => Ok(()),
            MentionsCursor::Backfill {
                newest,
                before,
                pages_left,
            } => write!(f, "{newest}/before:{before}/pages:{pages_left}"),
            MentionsCursor::Forward { newest } => f.write_str(newest),
        }
    }
}

fn typed<T: DeserializeOwned>(value: serde_json::Value) -> NetworkResult<T> {
    serde_json::from_value(value).map_err(|err| NetworkError::Malformed(err.to_string()))
}

/// One item of a list; a malformed one is skipped (and logged) so that it cannot stall the sync.
fn parse_item<T: DeserializeOwned>(value: serde_json::Value, what: &str) -> Option<T> {
    match serde_json::from_value(value) {
        Ok(item) => Some(item),
        Err(err) => {
            tracing::warn!(%err, what, "skipping a {what} hark cannot read");
            None
        }
    }
}

/// Mastodon ids are numbers in strings; compare them as numbers (longer is larger).
fn compare_ids(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn max_id(current: Option<String>, id: &str) -> String {
    match current {
        Some(current) if compare_ids(&current, id).is_ge() => current,
        _ => id.to_owned(),
    }
}

pub fn contact(account: &Account) -> RemoteContact {
    RemoteContact {
        remote_id: account.id.clone(),
        handle: account.acct.clone(),
        name: Some(account.display_name.clone()).filter(|n| !n.trim().is_empty()),
        avatar_url: account.avatar.clone(),
        bio: account
            .note
            .as_deref()
            .map(html_to_text)
            .filter(|b| !b.is_empty()),
        followers: account.followers_count,
        profile_url: account.url.clone(),
    }
}

fn message(status: &Status, raw: serde_json::Value, me: &str) -> RemoteMessage {
    let mut text = html_to_text(&status.content);
    if !status.spoiler_text.trim().is_empty() {
        text = format!("CW: {}\n{text}", status.spoiler_text.trim());
    }
    RemoteMessage {
        remote_id: status.id.clone(),
        parent_remote_id: status.in_reply_to_id.clone(),
        direction: if status.account.id == me {
            Direction::Out
        } else {
            Direction::In
        },
        author: contact(&status.account),
        text,
        created_at: status.created_at,
        liked: status.favourited.unwrap_or(false),
        hidden: None,
        raw: raw.into(),
    }
}

/// Status HTML as readable text: paragraphs and line breaks kept, links and mentions as their
/// text (Mastodon puts the whole address in the link text, partly hidden).
pub fn html_to_text(html: &str) -> String {
    let decorator = html2text::render::TrivialDecorator::new();
    html2text::config::with_decorator(decorator)
        .string_from_read(html.as_bytes(), 10_000)
        .map(|text| text.trim().to_owned())
        .unwrap_or_else(|_| html.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text_with_mentions_and_whole_links() {
        let html = "<p><span class=\"h-card\"><a href=\"https://m.example/@brand\" class=\"u-url mention\">@<span>brand</span></a></span> my order is late</p><p>see <a href=\"https://example.com/orders/48213\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">example.com/orde</span><span class=\"invisible\">rs/48213</span></a><br>thanks &amp; bye</p>";
        assert_eq!(
            html_to_text(html),
            "@brand my order is late\n\nsee https://example.com/orders/48213\nthanks & bye"
        );
    }

    #[test]
    fn ids_compare_as_numbers() {
        assert_eq!(max_id(Some("99".into()), "100"), "100");
        assert_eq!(
            max_id(Some("117020577157693549".into()), "117020577157693548"),
            "117020577157693549"
        );
        assert_eq!(max_id(None, "5"), "5");
    }
}
