//! The vocabulary every layer shares: networks, conversation kinds, states, folders, and the
//! normalised shape that a network's items take before they reach the store.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A point in time as stored: milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

pub fn to_millis(at: DateTime<Utc>) -> Millis {
    at.timestamp_millis()
}

pub fn from_millis(ms: Millis) -> DateTime<Utc> {
    // Out-of-range values can only come from a damaged database; show them as the epoch
    // rather than failing the whole list.
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Error for a stored or typed name that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}' (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// Declares a plain enum stored as text, with `as_str`, `FromStr`, `Display` and serde.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownName {
                        what: $what,
                        value: value.to_owned(),
                        expected: concat!($($text, " "),+),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// The social networks hark speaks. `demo` is the embedded simulated network.
    NetworkKind, "network" { Demo => "demo", Mastodon => "mastodon", Bluesky => "bluesky", Facebook => "facebook", Instagram => "instagram", X => "x" }
);

impl NetworkKind {
    pub fn label(self) -> &'static str {
        match self {
            NetworkKind::Demo => "Demo",
            NetworkKind::Mastodon => "Mastodon",
            NetworkKind::Bluesky => "Bluesky",
            NetworkKind::Facebook => "Facebook",
            NetworkKind::Instagram => "Instagram",
            NetworkKind::X => "X",
        }
    }
}

text_enum!(
    /// What started a conversation.
    ConversationKind, "conversation kind" {
        Comment => "comment",
        AdComment => "ad_comment",
        Mention => "mention",
        Dm => "dm",
        SearchHit => "search",
    }
);

impl ConversationKind {
    pub fn label(self) -> &'static str {
        match self {
            ConversationKind::Comment => "comment",
            ConversationKind::AdComment => "ad comment",
            ConversationKind::Mention => "mention",
            ConversationKind::Dm => "DM",
            ConversationKind::SearchHit => "search hit",
        }
    }
}

text_enum!(
    /// Where a conversation stands in the team's to-do list.
    Status, "status" { Open => "open", Closed => "closed", Snoozed => "snoozed" }
);

text_enum!(
    /// Whether a message came from a customer or from the brand.
    Direction, "direction" { In => "in", Out => "out" }
);

text_enum!(
    /// Delivery of one of our outbound messages or actions through the outbox.
    Delivery, "delivery state" {
        Queued => "queued",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
    }
);

text_enum!(
    /// An action the outbox delivers to a network.
    OutboxAction, "outbox action" {
        Reply => "reply",
        Like => "like",
        Unlike => "unlike",
        Close => "close",
        Hide => "hide",
        Unhide => "unhide",
        PrivateReply => "private_reply",
    }
);

text_enum!(
    /// What a person may do on a team box: an admin manages accounts, rules, saved replies, tags
    /// and people; an agent works conversations.
    Role, "role" { Admin => "admin", Agent => "agent" }
);

text_enum!(
    /// How a customer's message sounds.
    Sentiment, "sentiment" { Positive => "positive", Neutral => "neutral", Negative => "negative" }
);

text_enum!(
    /// What a teammate is doing in a conversation.
    Activity, "activity" { Viewing => "viewing", Replying => "replying" }
);

impl OutboxAction {
    /// Whether the entry delivers one of our messages (its delivery state follows the entry's).
    pub fn sends_message(self) -> bool {
        matches!(self, OutboxAction::Reply | OutboxAction::PrivateReply)
    }
}

/// The order of a folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// The latest activity first.
    #[default]
    Newest,
    /// The longest-waiting first.
    Oldest,
    /// Urgent, then high, then normal; newest first within each.
    Priority,
}

impl Sort {
    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => "newest first",
            Sort::Oldest => "oldest first",
            Sort::Priority => "by priority",
        }
    }

    pub fn next(self) -> Sort {
        match self {
            Sort::Newest => Sort::Oldest,
            Sort::Oldest => Sort::Priority,
            Sort::Priority => Sort::Newest,
        }
    }
}

/// A folder of the inbox: a filter over conversations.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Folder {
    Open,
    /// Open conversations assigned to the named agent.
    Mine(String),
    Unassigned,
    Snoozed,
    Closed,
    /// Open conversations carrying the tag with this id.
    Tag(i64),
    /// Open conversations of the account with this id.
    Account(i64),
    /// Open hits of the searches the team follows (beyond mentions).
    Searches,
    /// Open conversations waiting past their response-time target (SLA).
    Overdue,
}

impl Folder {
    pub fn label(&self) -> String {
        match self {
            Folder::Open => "Open".into(),
            Folder::Mine(_) => "Mine".into(),
            Folder::Unassigned => "Unassigned".into(),
            Folder::Snoozed => "Snoozed".into(),
            Folder::Closed => "Closed".into(),
            Folder::Tag(id) => format!("tag #{id}"),
            Folder::Account(id) => format!("account #{id}"),
            Folder::Searches => "Searches".into(),
            Folder::Overdue => "Overdue".into(),
        }
    }
}

/// A person or organisation on a network, as the network describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteContact {
    pub remote_id: String,
    pub handle: String,
    pub name: Option<String>,
    pub avatar_url: Option<String>,
    pub bio: Option<String>,
    pub followers: Option<i64>,
    pub profile_url: Option<String>,
}

/// One message as fetched from a network, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteMessage {
    pub remote_id: String,
    pub parent_remote_id: Option<String>,
    pub direction: Direction,
    pub author: RemoteContact,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub liked: bool,
    /// Whether the network shows it hidden (hidden by the brand, in hark or in the network's
    /// own app, or by the network's moderation); None when the network does not say.
    pub hidden: Option<bool>,
    /// The network's own JSON for this object, kept so that it can be reparsed later.
    pub raw: RawJson,
}

/// A network's own JSON for one object, as text. A connector that has the object's text from
/// the answer keeps it as it came (no copy of the parsed tree, no writing it out again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawJson(String);

impl RawJson {
    /// The object's text as the network sent it.
    pub fn from_raw(raw: &serde_json::value::RawValue) -> RawJson {
        RawJson(raw.get().to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The JSON read back (`null` if the text is not JSON, which no constructor makes).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

impl Default for RawJson {
    fn default() -> RawJson {
        RawJson("null".into())
    }
}

impl From<&serde_json::Value> for RawJson {
    fn from(value: &serde_json::Value) -> RawJson {
        RawJson(value.to_string())
    }
}

impl From<serde_json::Value> for RawJson {
    fn from(value: serde_json::Value) -> RawJson {
        RawJson::from(&value)
    }
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RawJson, D::Error> {
        serde_json::Value::deserialize(deserializer).map(RawJson::from)
    }
}

/// A fetched message together with the conversation it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingItem {
    pub kind: ConversationKind,
    /// The id that groups messages into one conversation: a post for comments, a thread root
    /// for mentions, the network's conversation id for DMs.
    pub root_remote_id: String,
    /// What the conversation is about, e.g. the text of the brand's post that was commented on.
    pub subject: Option<String>,
    /// The customer this conversation is with.
    pub customer: RemoteContact,
    pub message: RemoteMessage,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_json_is_written_out_as_the_json_it_holds() {
        let raw = RawJson::from(serde_json::json!({ "id": "1", "n": [1, 2] }));
        let message = serde_json::json!({ "raw": raw });
        assert_eq!(message["raw"]["n"][1], 2);
        let back: RawJson = serde_json::from_value(message["raw"].clone()).unwrap();
        assert_eq!(back.to_value(), raw.to_value());
        assert_eq!(RawJson::default().to_value(), serde_json::Value::Null);
    }

    #[test]
    fn text_enums_round_trip_and_reject_unknown_names() {
        for kind in ConversationKind::ALL {
            assert_eq!(kind.as_str().parse::<ConversationKind>(), Ok(*kind));
        }
        let err = "tweet".parse::<ConversationKind>().unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown conversation kind 'tweet'")
        );
        assert!(err.to_string().contains("ad_comment"));
    }

    #[test]
    fn millis_round_trip() {
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
        assert_eq!(from_millis(to_millis(at)), at);
    }
}

/// Response-time targets (SLA): how long a customer may wait for the brand's reply, by
/// network and by tag; the strictest that applies counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlaTargets {
    pub default: Option<Millis>,
    pub networks: std::collections::BTreeMap<NetworkKind, Millis>,
    /// By tag name, lowercase.
    pub tags: std::collections::BTreeMap<String, Millis>,
}

impl SlaTargets {
    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.networks.is_empty() && self.tags.is_empty()
    }

    /// The target of a conversation on `network` carrying `tags`.
    pub fn target_for(&self, network: NetworkKind, tags: &[String]) -> Option<Millis> {
        let by_tag = tags
            .iter()
            .filter_map(|t| self.tags.get(&t.to_lowercase()).copied());
        self.default
            .into_iter()
            .chain(self.networks.get(&network).copied())
            .chain(by_tag)
            .min()
    }

    /// The same as rows for the store's Overdue folder: (kind, key, minutes).
    pub fn as_rows(&self) -> Vec<(String, Option<String>, i64)> {
        let minutes = |ms: Millis| ms / 60_000;
        let mut rows: Vec<(String, Option<String>, i64)> = Vec::new();
        if let Some(default) = self.default {
            rows.push(("default".into(), None, minutes(default)));
        }
        for (network, target) in &self.networks {
            rows.push((
                "network".into(),
                Some(network.as_str().into()),
                minutes(*target),
            ));
        }
        for (tag, target) in &self.tags {
            rows.push(("tag".into(), Some(tag.clone()), minutes(*target)));
        }
        rows
    }
}
