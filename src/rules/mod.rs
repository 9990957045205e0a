//! Rules that triage conversations as messages arrive: "if a message … then …", evaluated in
//! order, each able to stop the ones after it.
//!
//! A rule's condition is a small language (see [`parse`]): filters such as `contains "pay"`,
//! `language is chinese` or `author is vip`, combined with `and`, `or`, `not`, `all(…)` and
//! `any(…)`. Its actions are `tag NAME`, `assign AGENT`, `unassign`, `priority LEVEL`, `close` and
//! `snooze DURATION`.

mod parse;
pub mod text;

use std::time::Duration;

use serde::Serialize;

pub use parse::{ParseError, parse_action, parse_condition};

use crate::model::{ConversationKind, NetworkKind};

/// One test on an arriving message.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// The words of a phrase (or a hashtag), normalised, found in order at word starts.
    Contains {
        phrase: Vec<String>,
        include_links: bool,
    },
    /// The message is nothing but @mentions.
    OnlyMentions,
    BeginsWith(String),
    /// The brand account that received it, by its name in the config.
    Account(String),
    Kind(ConversationKind),
    Network(NetworkKind),
    Language(whatlang::Lang),
    Sentiment(crate::model::Sentiment),
    AuthorVip,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Filter(Filter),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", content = "value", rename_all = "snake_case")]
pub enum RuleAction {
    Tag(String),
    Assign(String),
    Unassign,
    /// 0 normal, 1 high, 2 urgent.
    Priority(i64),
    Close,
    #[serde(serialize_with = "as_seconds")]
    Snooze(Duration),
}

fn as_seconds<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(duration.as_secs())
}

impl std::fmt::Display for RuleAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleAction::Tag(tag) => write!(f, "tag {tag}"),
            RuleAction::Assign(agent) => write!(f, "assign {agent}"),
            RuleAction::Unassign => f.write_str("unassign"),
            RuleAction::Priority(level) => write!(
                f,
                "priority {}",
                ["normal", "high", "urgent"][usize::try_from(*level).unwrap_or(0).min(2)]
            ),
            RuleAction::Close => f.write_str("close"),
            RuleAction::Snooze(duration) => write!(f, "snooze {}", text::duration_words(*duration)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    /// The condition as written, for listing.
    pub when: String,
    pub condition: Condition,
    pub actions: Vec<RuleAction>,
    /// When this rule matches, the rules after it are not looked at.
    pub stop: bool,
}

/// The rules of a config, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

/// What the rules look at: one arriving message and its conversation.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub text: &'a str,
    pub kind: ConversationKind,
    pub network: NetworkKind,
    pub account: &'a str,
    pub language: Option<whatlang::Lang>,
    /// None when it cannot be told (see [`crate::sentiment`]).
    pub sentiment: Option<crate::model::Sentiment>,
    pub author_vip: bool,
}

/// A rule that matched, with what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub rule: String,
    pub actions: Vec<RuleAction>,
}

impl RuleSet {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether any rule looks at the language (detection costs time at ingest; it is skipped
    /// when nothing needs it, and done later where it is wanted).
    pub fn uses_language(&self) -> bool {
        fn uses(condition: &Condition) -> bool {
            match condition {
                Condition::Filter(Filter::Language(_)) => true,
                Condition::Filter(_) => false,
                Condition::All(parts) | Condition::Any(parts) => parts.iter().any(uses),
                Condition::Not(inner) => uses(inner),
            }
        }
        self.rules.iter().any(|rule| uses(&rule.condition))
    }

    /// The rules that match, in order, up to and including the first matching rule that stops.
    pub fn evaluate(&self, subject: &Subject<'_>) -> Vec<Hit> {
        let prepared = Prepared::new(subject);
        let mut hits = Vec::new();
        for rule in &self.rules {
            if prepared.matches(&rule.condition) {
                hits.push(Hit {
                    rule: rule.name.clone(),
                    actions: rule.actions.clone(),
                });
                if rule.stop {
                    break;
                }
            }
        }
        hits
    }
}

/// The subject's text normalised once for every filter.
struct Prepared<'a> {
    subject: &'a Subject<'a>,
    /// Without links.
    words: Vec<String>,
    /// With links.
    words_with_links: Vec<String>,
}

impl<'a> Prepared<'a> {
    fn new(subject: &'a Subject<'a>) -> Prepared<'a> {
        Prepared {
            subject,
            words: text::words(&text::without_links(subject.text)),
            words_with_links: text::words(subject.text),
        }
    }

    fn matches(&self, condition: &Condition) -> bool {
        match condition {
            Condition::All(parts) => parts.iter().all(|c| self.matches(c)),
            Condition::Any(parts) => parts.iter().any(|c| self.matches(c)),
            Condition::Not(inner) => !self.matches(inner),
            Condition::Filter(filter) => self.filter(filter),
        }
    }

    fn filter(&self, filter: &Filter) -> bool {
        let subject = self.subject;
        match filter {
            Filter::Contains {
                phrase,
                include_links,
            } => {
                let words = if *include_links {
                    &self.words_with_links
                } else {
                    &self.words
                };
                text::contains_phrase(words, phrase)
            }
            Filter::OnlyMentions => text::only_mentions(subject.text),
            Filter::BeginsWith(start) => {
                text::normalise(subject.text.trim_start()).starts_with(start.as_str())
            }
            Filter::Account(name) => subject.account.eq_ignore_ascii_case(name),
            Filter::Kind(kind) => subject.kind == *kind,
            Filter::Network(network) => subject.network == *network,
            Filter::Language(lang) => subject.language == Some(*lang),
            Filter::Sentiment(sentiment) => subject.sentiment == Some(*sentiment),
            Filter::AuthorVip => subject.author_vip,
        }
    }
}

#[cfg(test)]
mod tests;
