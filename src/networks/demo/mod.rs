//! The embedded demo network: a simulated brand account ("Kettle & Crumb") whose customers
//! comment on posts and ads, mention it and write to it, in several languages. Everything is
//! derived from a seed, so a given seed always produces the same inbox. It accepts replies and
//! likes, and now and then a customer answers a reply, so the whole workflow can be tried with
//! no account and no network.

mod corpus;

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use self::corpus::Lang;
use super::{
    Capabilities, FetchPage, LengthUnit, Network, NetworkError, NetworkResult, ReplyRequest,
    SentReply,
};
use crate::clock::SharedClock;
use crate::model::{
    ConversationKind, Direction, IncomingItem, NetworkKind, RemoteContact, RemoteMessage, to_millis,
};

/// The demo brand as it appears in hark.
pub const BRAND_HANDLE: &str = "@kettleandcrumb";
pub const BRAND_NAME: &str = "Kettle & Crumb";
const BRAND_ID: &str = "demo-brand";

/// The only stream the demo has: everything arrives in one inbox.
pub const STREAM: &str = "inbox";

/// Conversations delivered per page.
const PAGE_SIZE: usize = 50;
/// Replies longer than this are refused, as a real network would.
const REPLY_LIMIT: usize = 500;
/// Where the trickle of new conversations stops, so that a demo left running stays bounded.
const MAX_TRICKLE: usize = 10_000;
/// The conversation whose message is full of terminal escape sequences.
const HOSTILE_INDEX: usize = 7;

/// How the demo behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSettings {
    pub seed: u64,
    /// Conversations already waiting when the demo starts.
    pub conversations: usize,
    /// How likely a customer is to answer one of our replies (0.0 to 1.0).
    pub reply_back_chance: f64,
    /// How long after our reply the customer's answer arrives.
    pub reply_back_after: Duration,
    /// How often a brand-new conversation arrives; None for never.
    pub new_conversation_every: Option<Duration>,
}

impl Default for DemoSettings {
    fn default() -> Self {
        DemoSettings {
            seed: 42,
            conversations: 240,
            reply_back_chance: 0.4,
            reply_back_after: Duration::from_secs(20),
            new_conversation_every: Some(Duration::from_secs(90)),
        }
    }
}

pub struct DemoNetwork {
    settings: DemoSettings,
    clock: SharedClock,
    /// When this instance started: seeded conversations happened before it, new ones after.
    epoch: DateTime<Utc>,
    state: Mutex<DemoState>,
}

#[derive(Default)]
struct DemoState {
    /// Replies received, by idempotency key, so that a retried reply is not posted twice.
    replies: HashMap<String, String>,
    /// Customers' answers to our replies, in the order they become due.
    answers: Vec<(DateTime<Utc>, IncomingItem)>,
    liked: HashSet<String>,
    rng: Option<ChaCha8Rng>,
}

/// A conversation as the demo generates it.
struct Script {
    lang: Lang,
    kind: ConversationKind,
    subject: Option<String>,
    customer: RemoteContact,
    messages: Vec<RemoteMessage>,
}

impl DemoNetwork {
    pub fn new(settings: DemoSettings, clock: SharedClock) -> DemoNetwork {
        let epoch = clock.now();
        DemoNetwork {
            settings,
            clock,
            epoch,
            state: Mutex::new(DemoState::default()),
        }
    }

    /// The demo brand's account, as stored.
    pub fn brand() -> RemoteContact {
        RemoteContact {
            remote_id: BRAND_ID.into(),
            handle: BRAND_HANDLE.into(),
            name: Some(BRAND_NAME.into()),
            avatar_url: None,
            bio: Some("Fresh coffee and bakes, delivered monthly.".into()),
            followers: Some(18_400),
            profile_url: None,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, DemoState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many conversations exist by now: the seeded ones plus those that trickled in.
    fn available(&self, now: DateTime<Utc>) -> usize {
        let trickled = match self.settings.new_conversation_every {
            Some(every) if !every.is_zero() => {
                let elapsed = (now - self.epoch).to_std().unwrap_or_default();
                usize::try_from(elapsed.as_millis() / every.as_millis()).unwrap_or(usize::MAX)
            }
            _ => 0,
        };
        self.settings.conversations + trickled.min(MAX_TRICKLE)
    }

    fn rng_for(&self, index: usize) -> ChaCha8Rng {
        let mix = (index as u64)
            .wrapping_add(1)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ChaCha8Rng::seed_from_u64(self.settings.seed ^ mix)
    }

    fn epoch_tag(&self) -> i64 {
        to_millis(self.epoch)
    }

    /// Generates conversation `index`, the same every time for the same seed.
    fn script(&self, index: usize) -> Script {
        let mut rng = self.rng_for(index);
        let seeded = index < self.settings.conversations;
        let start = if seeded {
            let minutes_ago: i64 = rng.random_range(3..14 * 24 * 60);
            self.epoch - chrono::Duration::minutes(minutes_ago)
        } else {
            let every = self.settings.new_conversation_every.unwrap_or_default();
            let step = (index - self.settings.conversations + 1) as u32;
            self.epoch + chrono::Duration::from_std(every * step).unwrap_or_default()
        };
        let kind = pick_weighted(
            &mut rng,
            &[
                (ConversationKind::Comment, 35),
                (ConversationKind::AdComment, 15),
                (ConversationKind::Mention, 25),
                (ConversationKind::Dm, 25),
            ],
        );
        let subject = match kind {
            ConversationKind::Comment => Some(pick(&mut rng, corpus::POSTS).to_string()),
            ConversationKind::AdComment => Some(format!("[Ad] {}", pick(&mut rng, corpus::ADS))),
            _ => None,
        };
        if index == HOSTILE_INDEX && seeded {
            return self.hostile_script(index, start);
        }
        let lang = pick_weighted(&mut rng, corpus::LANGUAGES);
        let topic = pick_weighted(&mut rng, corpus::TOPICS);
        let people = corpus::people(lang);
        let person_index = rng.random_range(0..people.len());
        let customer = person(lang, person_index, rng.random_range(12..25_000));

        let mut messages = Vec::new();
        let mut at = start;
        let root = root_id(index);
        let first_id = format!("{root}-m0");
        messages.push(self.message(
            &first_id,
            None,
            Direction::In,
            &customer,
            pick(&mut rng, corpus::openers(lang, topic)),
            at,
            kind,
        ));
        let follow_up: u32 = if seeded {
            rng.random_range(0..100)
        } else {
            100
        };
        if follow_up < 25 {
            at = self.later(at, &mut rng);
            let text = pick(&mut rng, corpus::nudges(lang));
            messages.push(self.message(
                &format!("{root}-m1"),
                Some(&first_id),
                Direction::In,
                &customer,
                text,
                at,
                kind,
            ));
        } else if follow_up < 45 {
            at = self.later(at, &mut rng);
            let reply_id = format!("{root}-m1");
            let text = pick(&mut rng, corpus::brand_replies(lang));
            messages.push(self.message(
                &reply_id,
                Some(&first_id),
                Direction::Out,
                &Self::brand(),
                text,
                at,
                kind,
            ));
            at = self.later(at, &mut rng);
            let text = pick(&mut rng, corpus::answers(lang));
            messages.push(self.message(
                &format!("{root}-m2"),
                Some(&reply_id),
                Direction::In,
                &customer,
                text,
                at,
                kind,
            ));
        }
        Script {
            lang,
            kind,
            subject,
            customer,
            messages,
        }
    }

    fn hostile_script(&self, index: usize, at: DateTime<Utc>) -> Script {
        let customer = RemoteContact {
            remote_id: "demo-u-spam".into(),
            handle: "win.prizes.now".into(),
            name: Some("Prize\u{1b}[5m Desk\u{1b}[0m".into()),
            avatar_url: None,
            bio: Some("\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}totally legit".into()),
            followers: Some(3),
            profile_url: None,
        };
        let kind = ConversationKind::Mention;
        let message = self.message(
            &format!("{}-m0", root_id(index)),
            None,
            Direction::In,
            &customer,
            corpus::HOSTILE,
            at,
            kind,
        );
        Script {
            lang: Lang::En,
            kind,
            subject: None,
            customer,
            messages: vec![message],
        }
    }

    /// A moment a little after `at`; seeded history stays before the demo started, halfway
    /// between `at` and then when the usual gap would cross it.
    fn later(&self, at: DateTime<Utc>, rng: &mut ChaCha8Rng) -> DateTime<Utc> {
        let next = at + chrono::Duration::minutes(rng.random_range(2..180));
        if at < self.epoch && next >= self.epoch {
            at + (self.epoch - at) / 2
        } else {
            next
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn message(
        &self,
        remote_id: &str,
        parent: Option<&str>,
        direction: Direction,
        author: &RemoteContact,
        text: &str,
        at: DateTime<Utc>,
        kind: ConversationKind,
    ) -> RemoteMessage {
        RemoteMessage {
            remote_id: remote_id.to_owned(),
            parent_remote_id: parent.map(str::to_owned),
            direction,
            author: author.clone(),
            text: text.to_owned(),
            created_at: at,
            liked: false,
            hidden: None,
            raw: json!({
                "id": remote_id,
                "type": kind.as_str(),
                "in_reply_to": parent,
                "from": { "id": author.remote_id, "handle": author.handle, "name": author.name },
                "text": text,
                "created_at": at.to_rfc3339(),
            })
            .into(),
        }
    }

    fn items(&self, index: usize) -> Vec<IncomingItem> {
        let script = self.script(index);
        let root = root_id(index);
        script
            .messages
            .into_iter()
            .map(|message| IncomingItem {
                kind: script.kind,
                root_remote_id: root.clone(),
                subject: script.subject.clone(),
                customer: script.customer.clone(),
                message,
            })
            .collect()
    }

    /// The conversation index a root id names, if it exists by now.
    fn index_of(&self, root: &str) -> NetworkResult<usize> {
        root.strip_prefix("demo-c")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&index| index < self.available(self.clock.now()))
            .ok_or_else(|| {
                NetworkError::Rejected(format!("no conversation '{root}' on the demo network"))
            })
    }
}

#[async_trait]
impl Network for DemoNetwork {
    fn kind(&self) -> NetworkKind {
        NetworkKind::Demo
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            reply: true,
            like: true,
            hide: false,
            private_reply: Some(crate::networks::graph::window::PRIVATE_REPLY_WINDOW),
            direct_message: false,
            profile_lookup: true,
            reply_limit: REPLY_LIMIT,
            reply_unit: LengthUnit::Characters,
            signatures: true,
            dm_window: None,
        }
    }

    fn streams(&self) -> Vec<&'static str> {
        vec![STREAM]
    }

    async fn fetch_since(&self, stream: &str, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        if stream != STREAM {
            return Err(NetworkError::Rejected(format!(
                "the demo network has no stream '{stream}'"
            )));
        }
        let now = self.clock.now();
        let position = DemoCursor::parse(cursor, self.epoch_tag());
        let available = self.available(now);
        let end = (position.conversations + PAGE_SIZE).min(available);
        let mut items: Vec<IncomingItem> = (position.conversations.min(end)..end)
            .flat_map(|index| self.items(index))
            .collect();
        let mut answers_seen = position.answers;
        {
            let state = self.state();
            for (due, item) in state.answers.iter().skip(position.answers) {
                if *due > now {
                    break;
                }
                items.push(item.clone());
                answers_seen += 1;
            }
        }
        let next = DemoCursor {
            conversations: end.max(position.conversations),
            epoch: self.epoch_tag(),
            answers: answers_seen,
        };
        Ok(FetchPage {
            items,
            cursor: Some(next.to_string()),
            more: next.conversations < available,
            resume: None,
        })
    }

    async fn fetch_thread(&self, root_remote_id: &str) -> NetworkResult<Vec<IncomingItem>> {
        let index = self.index_of(root_remote_id)?;
        let mut items = self.items(index);
        let now = self.clock.now();
        let state = self.state();
        items.extend(
            state
                .answers
                .iter()
                .filter(|(due, item)| *due <= now && item.root_remote_id == root_remote_id)
                .map(|(_, item)| item.clone()),
        );
        Ok(items)
    }

    async fn reply(&self, request: &ReplyRequest) -> NetworkResult<SentReply> {
        let length = request.text.chars().count();
        if request.text.trim().is_empty() {
            return Err(NetworkError::Rejected("the reply is empty".into()));
        }
        if length > REPLY_LIMIT {
            return Err(NetworkError::Rejected(format!(
                "the reply is {length} characters; the demo network takes at most {REPLY_LIMIT}"
            )));
        }
        let index = self.index_of(&request.root_remote_id)?;
        let now = self.clock.now();
        let mut state = self.state();
        if let Some(remote_id) = state.replies.get(&request.idempotency_key) {
            return Ok(SentReply {
                remote_id: remote_id.clone(),
            });
        }
        // The outbox key is unique per reply, also across processes sharing one database.
        let remote_id = format!("demo-r-{}", request.idempotency_key);
        state
            .replies
            .insert(request.idempotency_key.clone(), remote_id.clone());

        let seed = self.settings.seed;
        let rng = state
            .rng
            .get_or_insert_with(|| ChaCha8Rng::seed_from_u64(seed));
        let answers = rng.random_bool(self.settings.reply_back_chance.clamp(0.0, 1.0));
        let pick_index = rng.random_range(0..64usize);
        if answers {
            let script = self.script(index);
            let texts = corpus::answers(script.lang);
            let due = now
                + chrono::Duration::from_std(self.settings.reply_back_after).unwrap_or_default();
            let answer_id = format!(
                "{}-a{}-{}",
                root_id(index),
                self.epoch_tag(),
                state.answers.len()
            );
            let message = self.message(
                &answer_id,
                Some(&remote_id),
                Direction::In,
                &script.customer,
                texts[pick_index % texts.len()],
                due,
                script.kind,
            );
            state.answers.push((
                due,
                IncomingItem {
                    kind: script.kind,
                    root_remote_id: request.root_remote_id.clone(),
                    subject: script.subject,
                    customer: script.customer,
                    message,
                },
            ));
        }
        Ok(SentReply { remote_id })
    }

    /// Accepts a private reply to a demo comment; the same comment always gets the same
    /// message id (a network would take a second one only as a retry of the first).
    async fn private_reply(&self, comment_remote_id: &str, text: &str) -> NetworkResult<SentReply> {
        if !comment_remote_id.starts_with("demo-") {
            return Err(NetworkError::Rejected(format!(
                "no comment '{comment_remote_id}' on the demo network"
            )));
        }
        if text.trim().is_empty() {
            return Err(NetworkError::Rejected("the private reply is empty".into()));
        }
        Ok(SentReply {
            remote_id: format!("demo-p-{comment_remote_id}"),
        })
    }

    async fn verify(&self) -> NetworkResult<String> {
        Ok(BRAND_HANDLE.to_owned())
    }

    async fn set_liked(&self, remote_id: &str, liked: bool) -> NetworkResult<()> {
        if !remote_id.starts_with("demo-") {
            return Err(NetworkError::Rejected(format!(
                "no message '{remote_id}' on the demo network"
            )));
        }
        let mut state = self.state();
        if liked {
            state.liked.insert(remote_id.to_owned());
        } else {
            state.liked.remove(remote_id);
        }
        Ok(())
    }

    async fn profile(&self, remote_id: &str) -> NetworkResult<RemoteContact> {
        let mut parts = remote_id.strip_prefix("demo-u-").unwrap_or("").split('-');
        let lang = match parts.next() {
            Some("en") => Lang::En,
            Some("es") => Lang::Es,
            Some("ar") => Lang::Ar,
            Some("ko") => Lang::Ko,
            Some("zh") => Lang::Zh,
            Some("el") => Lang::El,
            _ => return Err(NetworkError::Rejected(format!("no profile '{remote_id}'"))),
        };
        let index = parts
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n < corpus::people(lang).len())
            .ok_or_else(|| NetworkError::Rejected(format!("no profile '{remote_id}'")))?;
        Ok(person(lang, index, 0))
    }
}

fn root_id(index: usize) -> String {
    format!("demo-c{index}")
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Es => "es",
        Lang::Ar => "ar",
        Lang::Ko => "ko",
        Lang::Zh => "zh",
        Lang::El => "el",
    }
}

fn person(lang: Lang, index: usize, followers: i64) -> RemoteContact {
    let (name, handle, bio) = corpus::people(lang)[index];
    RemoteContact {
        remote_id: format!("demo-u-{}-{index}", lang_code(lang)),
        handle: handle.to_owned(),
        name: Some(name.to_owned()),
        avatar_url: None,
        bio: (!bio.is_empty()).then(|| bio.to_owned()),
        followers: (followers > 0).then_some(followers),
        profile_url: None,
    }
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn pick_weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, weight)| weight).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (item, weight) in items {
        if roll < *weight {
            return *item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

/// Where a sync stands on the demo network: conversations delivered, and answers delivered by
/// the instance that started at `epoch` (answers live in memory, so a new instance starts over).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DemoCursor {
    conversations: usize,
    epoch: i64,
    answers: usize,
}

impl DemoCursor {
    fn parse(cursor: Option<&str>, current_epoch: i64) -> DemoCursor {
        let fresh = DemoCursor {
            conversations: 0,
            epoch: current_epoch,
            answers: 0,
        };
        let Some(text) = cursor else {
            return fresh;
        };
        let parts: Vec<&str> = text.split(':').collect();
        let parsed = match parts.as_slice() {
            ["v1", conversations, epoch, answers] => {
                match (conversations.parse(), epoch.parse(), answers.parse()) {
                    (Ok(conversations), Ok(epoch), Ok(answers)) => Some(DemoCursor {
                        conversations,
                        epoch,
                        answers,
                    }),
                    _ => None,
                }
            }
            _ => None,
        };
        match parsed {
            Some(cursor) if cursor.epoch == current_epoch => cursor,
            Some(cursor) => DemoCursor {
                answers: 0,
                epoch: current_epoch,
                ..cursor
            },
            None => {
                tracing::warn!(cursor = text, "unreadable demo cursor; starting over");
                fresh
            }
        }
    }
}

impl std::fmt::Display for DemoCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "v1:{}:{}:{}",
            self.conversations, self.epoch, self.answers
        )
    }
}

#[cfg(test)]
mod tests;
