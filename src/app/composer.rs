//! The reply being written: a multi-line text area (ratatui-textarea) bound to one
//! conversation, with the network's length limit, the agent's signature, and the `##` picker of
//! saved replies.

use crossterm::event::KeyEvent;
use ratatui::style::{Color, Style};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use super::docs_picker::DocsPicker;
use super::picker::Picker;
use super::placeholders::{self, PlaceholderValues};
use crate::model::Millis;
use crate::networks::LengthUnit;
use crate::store::{Draft, SavedReply};

/// What a reply in this conversation must fit and carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRules {
    pub limit: usize,
    pub unit: LengthUnit,
    /// Appended on send (once), and counted in the length.
    pub signature: Option<String>,
}

/// The comment a private reply answers (in its author's private inbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateTarget {
    /// The comment's message id.
    pub message_id: i64,
    pub author: String,
    /// Until when the network takes a private reply to it.
    pub closes_at: Millis,
}

#[derive(Debug, Clone)]
pub struct Composer {
    pub conversation_id: i64,
    pub textarea: TextArea<'static>,
    pub rules: ReplyRules,
    /// The `##` picker, while it is open.
    pub picker: Option<Picker>,
    /// Whether `??` searches Help Scout Docs (when it is set up).
    pub docs_enabled: bool,
    /// The `??` picker, while it is open.
    pub docs: Option<DocsPicker>,
    /// Set when the reply goes privately to a commenter instead of under the comment.
    pub private: Option<PrivateTarget>,
    /// The newest message of the conversation when the person began writing: a teammate's
    /// reply after it is shown before this one goes.
    pub seen_up_to: Option<i64>,
    /// The draft as last saved, to know whether it needs saving again.
    saved: Draft,
}

/// Why a reply cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSendable {
    Empty,
    TooLong { length: usize, limit: usize },
}

/// Where the cursor stands with a picker's trigger.
enum Trigger {
    /// Still after it: what was typed since.
    Following(String),
    Left,
    /// Just typed, at this row and column.
    Typed {
        row: usize,
        column: usize,
    },
    Nothing,
}

/// A saved reply put into the composer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    pub saved_reply_id: i64,
    pub unfilled: Vec<String>,
}

impl Composer {
    pub fn new(conversation_id: i64, draft: &str, rules: ReplyRules) -> Composer {
        let lines: Vec<String> = if draft.is_empty() {
            vec![String::new()]
        } else {
            draft.split('\n').map(str::to_owned).collect()
        };
        let mut textarea = TextArea::new(lines);
        textarea.set_wrap_mode(WrapMode::WordOrGlyph);
        textarea.move_cursor(CursorMove::Bottom);
        textarea.move_cursor(CursorMove::End);
        textarea.set_placeholder_text("Write a reply… (## for saved replies)");
        // Unfilled placeholders stand out until they are written over.
        if textarea
            .set_search_pattern(placeholders::highlight_pattern())
            .is_ok()
        {
            textarea.set_search_style(Style::new().fg(Color::Black).bg(Color::Yellow));
        }
        Composer {
            conversation_id,
            textarea,
            rules,
            picker: None,
            docs_enabled: false,
            docs: None,
            private: None,
            seen_up_to: None,
            saved: Draft {
                body: draft.to_owned(),
                private_to: None,
            },
        }
    }

    /// The text as typed.
    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    /// The text as it will be sent: with the signature, unless it already ends with it.
    pub fn outgoing(&self) -> String {
        let text = self.text();
        let text = text.trim_end();
        match self
            .rules
            .signature
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(signature) if !text.ends_with(signature) => format!("{text}\n{signature}"),
            _ => text.to_owned(),
        }
    }

    /// The length of what will be sent, as the network counts it.
    pub fn length(&self) -> usize {
        let text = self.outgoing();
        self.rules.unit.count(&text)
    }

    pub fn check(&self) -> Result<String, NotSendable> {
        if self.text().trim().is_empty() {
            return Err(NotSendable::Empty);
        }
        let length = self.length();
        if length > self.rules.limit {
            return Err(NotSendable::TooLong {
                length,
                limit: self.rules.limit,
            });
        }
        Ok(self.outgoing())
    }

    /// Turns on the `??` picker (Help Scout Docs is set up).
    pub fn enable_docs(&mut self) {
        self.docs_enabled = true;
        self.textarea
            .set_placeholder_text("Write a reply… (## saved replies, ?? Help Scout Docs)");
    }

    /// Passes a key to the text area, then opens, follows or closes the `##` and `??` pickers.
    /// `bodies` are the replies' bodies as the picker searches them ([`lowercase_bodies`]).
    ///
    /// [`lowercase_bodies`]: super::picker::lowercase_bodies
    pub fn input(
        &mut self,
        key: KeyEvent,
        replies: &[SavedReply],
        bodies: &std::sync::Arc<[String]>,
    ) -> bool {
        let changed = self.textarea.input(key);
        self.follow_trigger(replies, bodies);
        if self.docs_enabled {
            self.follow_docs_trigger();
        }
        changed
    }

    /// The `??` picker opens when `??` is typed at the start of a word (so "really??" stays
    /// text), searches what follows it on the same line, and closes when the cursor leaves it.
    fn follow_docs_trigger(&mut self) {
        let open_at = self.docs.as_ref().map(|p| (p.row, p.column));
        match self.trigger(open_at, '?', true) {
            Trigger::Following(query) => {
                if let Some(picker) = self.docs.as_mut() {
                    picker.set_query(&query);
                }
            }
            Trigger::Left => self.docs = None,
            Trigger::Typed { row, column } => {
                self.picker = None;
                self.docs = Some(DocsPicker::new(row, column));
            }
            Trigger::Nothing => {}
        }
    }

    /// Where the cursor stands with a picker's trigger (`marker` twice): still after the
    /// trigger the picker opened at (`open_at`), having left it, or having just typed a new one
    /// (at the start of a word when `word_start`).
    fn trigger(&self, open_at: Option<(usize, usize)>, marker: char, word_start: bool) -> Trigger {
        let ratatui_textarea::DataCursor(row, column) = self.textarea.cursor();
        let line: Vec<char> = self
            .textarea
            .lines()
            .get(row)
            .map(|l| l.chars().collect())
            .unwrap_or_default();
        let pair = [marker, marker];
        if let Some((at_row, at_column)) = open_at {
            let still_there = at_row == row
                && column >= at_column + 2
                && line.get(at_column..at_column + 2) == Some(&pair[..]);
            return if still_there {
                Trigger::Following(line[at_column + 2..column.min(line.len())].iter().collect())
            } else {
                Trigger::Left
            };
        }
        let starts_word =
            !word_start || column == 2 || (column > 2 && line[column - 3].is_whitespace());
        if column >= 2 && starts_word && line.get(column - 2..column) == Some(&pair[..]) {
            Trigger::Typed {
                row,
                column: column - 2,
            }
        } else {
            Trigger::Nothing
        }
    }

    /// Replaces `??` and what was typed after it with the chosen article's title, summary and
    /// link.
    pub fn insert_article(&mut self) -> Option<crate::integrations::helpscout::Article> {
        let picker = self.docs.take()?;
        let article = picker.chosen()?.clone();
        let typed = 2 + picker.query.chars().count();
        let row = u16::try_from(picker.row).unwrap_or(u16::MAX);
        let column = u16::try_from(picker.column).unwrap_or(u16::MAX);
        self.textarea.move_cursor(CursorMove::Jump(row, column));
        self.textarea.delete_str(typed);
        self.textarea.insert_str(article.snippet());
        Some(article)
    }

    /// The picker opens when `##` has just been typed, filters on what follows it on the same
    /// line, and closes when the cursor leaves that text.
    fn follow_trigger(&mut self, replies: &[SavedReply], bodies: &std::sync::Arc<[String]>) {
        let open_at = self.picker.as_ref().map(|p| (p.row, p.column));
        match self.trigger(open_at, '#', false) {
            Trigger::Following(query) => {
                if let Some(picker) = self.picker.as_mut() {
                    picker.set_query(&query, replies);
                }
            }
            Trigger::Left => self.picker = None,
            Trigger::Typed { row, column } => {
                self.picker = Some(Picker::new(
                    row,
                    column,
                    replies,
                    std::sync::Arc::clone(bodies),
                ));
            }
            Trigger::Nothing => {}
        }
    }

    /// Closes the picker and leaves the text as typed (how a literal `##` is written).
    pub fn close_picker(&mut self) {
        self.picker = None;
        self.docs = None;
    }

    /// Replaces `##` and what was typed after it with the chosen saved reply, placeholders
    /// filled.
    pub fn insert_chosen(
        &mut self,
        replies: &[SavedReply],
        values: &PlaceholderValues,
    ) -> Option<Inserted> {
        let picker = self.picker.take()?;
        let chosen = picker.chosen()?;
        let reply = replies.get(chosen.index)?;
        let expanded = placeholders::expand(&reply.body, values);
        let typed = 2 + picker.query.chars().count();
        let row = u16::try_from(picker.row).unwrap_or(u16::MAX);
        let column = u16::try_from(picker.column).unwrap_or(u16::MAX);
        self.textarea.move_cursor(CursorMove::Jump(row, column));
        self.textarea.delete_str(typed);
        self.textarea.insert_str(&expanded.text);
        Some(Inserted {
            saved_reply_id: reply.id,
            unfilled: expanded.unfilled,
        })
    }

    /// Replaces the whole text (what came back from an editor), the cursor at its end.
    pub fn replace_text(&mut self, text: &str) {
        self.textarea.select_all();
        self.textarea.cut();
        let clean: String = text
            .chars()
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
            .collect();
        self.textarea.insert_str(clean);
        self.picker = None;
        self.docs = None;
    }

    /// Inserts pasted text; control characters other than newlines and tabs are dropped.
    pub fn paste(&mut self, text: &str) {
        let clean: String = text
            .chars()
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
            .collect();
        self.textarea.insert_str(clean);
    }

    /// A composer for a private reply restored from its draft.
    pub fn new_private(
        conversation_id: i64,
        draft: &str,
        rules: ReplyRules,
        target: PrivateTarget,
    ) -> Composer {
        let mut composer = Composer::new(conversation_id, draft, rules);
        composer.saved.private_to = Some(target.message_id);
        composer.private = Some(target);
        composer
    }

    /// The draft if it changed since it was last saved (and marks it saved).
    pub fn take_unsaved(&mut self) -> Option<Draft> {
        let draft = Draft {
            body: self.text(),
            private_to: self.private.as_ref().map(|p| p.message_id),
        };
        if draft == self.saved {
            return None;
        }
        self.saved.clone_from(&draft);
        Some(draft)
    }

    pub fn is_empty(&self) -> bool {
        self.text().trim().is_empty()
    }
}

#[cfg(test)]
mod tests;
