//! The rule language.
//!
//! ```text
//! condition := term ("or" term)*
//! term      := factor ("and" factor)*
//! factor    := "not" factor | "(" condition ")" | ("all" | "any") "(" condition ("," condition)* ")"
//!            | filter
//! filter    := "contains" TEXT ["including" "links"] | "contains" "only" "mentions"
//!            | "begins" "with" TEXT | "account" ["is"] TEXT | "type" "is" KIND
//!            | "network" "is" NETWORK | "language" "is" LANGUAGE | "author" "is" "vip"
//!            | "sentiment" "is" ("positive" | "neutral" | "negative")
//! TEXT      := a word, or "a quoted phrase"
//! ```
//! Words are matched without regard to case or accents.

use super::text::{language_named, normalise, parse_duration, words};
use super::{Condition, Filter, RuleAction};
use crate::model::{ConversationKind, NetworkKind};

/// Where a condition stops making sense, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {}: {message}", .position + 1)]
pub struct ParseError {
    /// Character offset in the condition, from 0.
    pub position: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Open,
    Close,
    Comma,
}

fn tokenise(source: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push((i, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((i, Token::Close));
                i += 1;
            }
            ',' => {
                tokens.push((i, Token::Comma));
                i += 1;
            }
            '"' | '\'' | '“' => {
                let close = if c == '“' { '”' } else { c };
                let start = i;
                let end = chars[i + 1..]
                    .iter()
                    .position(|&d| d == close)
                    .ok_or_else(|| ParseError {
                        position: start,
                        message: "this quote is never closed".into(),
                    })?;
                tokens.push((
                    start,
                    Token::Quoted(chars[i + 1..i + 1 + end].iter().collect()),
                ));
                i += end + 2;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | ',' | '"')
                {
                    i += 1;
                }
                tokens.push((start, Token::Word(chars[start..i].iter().collect())));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(p, _)| *p)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            position: self.position(),
            message: message.into(),
        })
    }

    fn take(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.next).map(|(_, t)| t.clone());
        self.next += 1;
        token
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect_word(&mut self, word: &str) -> Result<(), ParseError> {
        if self.is_word(word) {
            self.next += 1;
            Ok(())
        } else {
            self.error(format!("expected '{word}'"))
        }
    }

    fn text(&mut self, what: &str) -> Result<String, ParseError> {
        match self.take() {
            Some(Token::Word(w) | Token::Quoted(w)) if !w.trim().is_empty() => Ok(w),
            _ => {
                self.next -= 1;
                self.error(format!("expected {what}"))
            }
        }
    }

    fn condition(&mut self) -> Result<Condition, ParseError> {
        let mut parts = vec![self.term()?];
        while self.is_word("or") {
            self.next += 1;
            parts.push(self.term()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Condition::Any(parts)
        })
    }

    fn term(&mut self) -> Result<Condition, ParseError> {
        let mut parts = vec![self.factor()?];
        while self.is_word("and") {
            self.next += 1;
            parts.push(self.factor()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Condition::All(parts)
        })
    }

    fn factor(&mut self) -> Result<Condition, ParseError> {
        if self.is_word("not") {
            self.next += 1;
            return Ok(Condition::Not(Box::new(self.factor()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.next += 1;
            let inner = self.condition()?;
            return self.close(inner);
        }
        let group = ["all", "any"].into_iter().find(|w| self.is_word(w));
        if let Some(group) = group
            && matches!(self.tokens.get(self.next + 1), Some((_, Token::Open)))
        {
            self.next += 2;
            let mut parts = vec![self.condition()?];
            while self.peek() == Some(&Token::Comma) {
                self.next += 1;
                parts.push(self.condition()?);
            }
            let combined = if group == "all" {
                Condition::All(parts)
            } else {
                Condition::Any(parts)
            };
            return self.close(combined);
        }
        Ok(Condition::Filter(self.filter()?))
    }

    fn close(&mut self, inner: Condition) -> Result<Condition, ParseError> {
        if self.peek() == Some(&Token::Close) {
            self.next += 1;
            Ok(inner)
        } else {
            self.error("expected ')'")
        }
    }

    fn filter(&mut self) -> Result<Filter, ParseError> {
        let Some(Token::Word(word)) = self.peek().cloned() else {
            return self.error("expected a filter: contains, begins with, account, type, network, language or author");
        };
        let start = self.position();
        self.next += 1;
        match word.to_lowercase().as_str() {
            "contains" => {
                if self.is_word("only") {
                    self.next += 1;
                    self.expect_word("mentions")?;
                    return Ok(Filter::OnlyMentions);
                }
                let phrase = words(&self.text("a word or \"a phrase\" after 'contains'")?);
                if phrase.is_empty() {
                    return Err(ParseError {
                        position: start,
                        message: "there is nothing to look for after 'contains'".into(),
                    });
                }
                let include_links = self.is_word("including");
                if include_links {
                    self.next += 1;
                    self.expect_word("links")?;
                }
                Ok(Filter::Contains {
                    phrase,
                    include_links,
                })
            }
            "begins" => {
                self.expect_word("with")?;
                Ok(Filter::BeginsWith(normalise(
                    &self.text("a word or \"a phrase\" after 'begins with'")?,
                )))
            }
            "account" | "recipient" => {
                if self.is_word("is") {
                    self.next += 1;
                }
                Ok(Filter::Account(self.text("an account name")?))
            }
            "type" => {
                self.expect_word("is")?;
                let at = self.position();
                let kind = self.text("a type")?;
                let kind = match kind.to_lowercase().replace([' ', '-'], "_").as_str() {
                    "comment" => ConversationKind::Comment,
                    "ad_comment" | "ad" => ConversationKind::AdComment,
                    "mention" => ConversationKind::Mention,
                    "dm" | "message" | "direct_message" => ConversationKind::Dm,
                    "search" | "search_hit" => ConversationKind::SearchHit,
                    _ => {
                        return Err(ParseError {
                            position: at,
                            message: format!(
                                "'{kind}' is not a type (comment, ad_comment, mention, dm, search)"
                            ),
                        });
                    }
                };
                Ok(Filter::Kind(kind))
            }
            "network" => {
                self.expect_word("is")?;
                let at = self.position();
                let name = self.text("a network")?;
                name.to_lowercase()
                    .parse::<NetworkKind>()
                    .map(Filter::Network)
                    .map_err(|err| ParseError {
                        position: at,
                        message: err.to_string(),
                    })
            }
            "language" => {
                self.expect_word("is")?;
                let at = self.position();
                let name = self.text("a language")?;
                language_named(&name).map(Filter::Language).ok_or(ParseError {
                    position: at,
                    message: format!("'{name}' is not a language hark knows (try an English name like chinese, or a code like zh)"),
                })
            }
            "author" => {
                self.expect_word("is")?;
                self.expect_word("vip")?;
                Ok(Filter::AuthorVip)
            }
            "sentiment" => {
                self.expect_word("is")?;
                let at = self.position();
                let name = self.text("positive, neutral or negative")?;
                name.to_lowercase()
                    .parse::<crate::model::Sentiment>()
                    .map(Filter::Sentiment)
                    .map_err(|_| ParseError {
                        position: at,
                        message: format!(
                            "'{name}' is not a sentiment: positive, neutral or negative"
                        ),
                    })
            }
            other => Err(ParseError {
                position: start,
                message: format!(
                    "'{other}' is not a filter (contains, begins with, account, type, network, language, sentiment, author is vip)"
                ),
            }),
        }
    }
}

/// Parses a rule's condition.
pub fn parse_condition(source: &str) -> Result<Condition, ParseError> {
    let tokens = tokenise(source)?;
    let end = source.chars().count();
    if tokens.is_empty() {
        return Err(ParseError {
            position: 0,
            message: "the condition is empty".into(),
        });
    }
    let mut parser = Parser {
        tokens,
        next: 0,
        end,
    };
    let condition = parser.condition()?;
    if parser.next < parser.tokens.len() {
        return parser.error("expected 'and', 'or' or the end of the condition");
    }
    Ok(condition)
}

/// Parses one action: `tag NAME`, `assign AGENT`, `unassign`, `priority normal|high|urgent`,
/// `close`, `snooze 4h`.
pub fn parse_action(source: &str) -> Result<RuleAction, String> {
    let source = source.trim();
    let (verb, rest) = source
        .split_once(char::is_whitespace)
        .unwrap_or((source, ""));
    let rest = rest.trim().trim_matches(|c| c == '"' || c == '\'');
    let needs = |what: &str| -> Result<String, String> {
        if rest.is_empty() {
            Err(format!("'{verb}' needs {what}"))
        } else {
            Ok(rest.to_owned())
        }
    };
    match verb.to_lowercase().as_str() {
        "tag" => Ok(RuleAction::Tag(
            needs("a tag name")?.trim_start_matches('#').to_owned(),
        )),
        "assign" => Ok(RuleAction::Assign(needs("an agent")?)),
        "unassign" => Ok(RuleAction::Unassign),
        "priority" => match needs("normal, high or urgent")?.to_lowercase().as_str() {
            "normal" | "low" => Ok(RuleAction::Priority(0)),
            "high" => Ok(RuleAction::Priority(1)),
            "urgent" => Ok(RuleAction::Priority(2)),
            other => Err(format!(
                "'{other}' is not a priority (normal, high, urgent)"
            )),
        },
        "close" => Ok(RuleAction::Close),
        "snooze" => {
            let text = needs("a duration like 4h")?;
            parse_duration(&text)
                .map(RuleAction::Snooze)
                .ok_or(format!("'{text}' is not a duration (like 30m, 4h, 2d, 1w)"))
        }
        "" => Err("the action is empty".into()),
        other => Err(format!(
            "'{other}' is not an action (tag, assign, unassign, priority, close, snooze)"
        )),
    }
}
