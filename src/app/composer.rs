//! The reply being written: a multi-line text area (ratatui-textarea) bound to one
//! conversation, with the network's length limit.

use crossterm::event::KeyEvent;
use ratatui_textarea::{TextArea, WrapMode};
use unicode_segmentation::UnicodeSegmentation;

use crate::networks::LengthUnit;

#[derive(Debug, Clone)]
pub struct Composer {
    pub conversation_id: i64,
    pub textarea: TextArea<'static>,
    pub limit: usize,
    pub unit: LengthUnit,
    /// The text as last saved as a draft, to know whether it needs saving again.
    saved: String,
}

/// Why a reply cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSendable {
    Empty,
    TooLong { length: usize, limit: usize },
}

impl Composer {
    pub fn new(conversation_id: i64, draft: &str, limit: usize, unit: LengthUnit) -> Composer {
        let lines: Vec<String> = if draft.is_empty() {
            vec![String::new()]
        } else {
            draft.split('\n').map(str::to_owned).collect()
        };
        let mut textarea = TextArea::new(lines);
        textarea.set_wrap_mode(WrapMode::WordOrGlyph);
        textarea.move_cursor(ratatui_textarea::CursorMove::Bottom);
        textarea.move_cursor(ratatui_textarea::CursorMove::End);
        textarea.set_placeholder_text("Write a reply…");
        Composer {
            conversation_id,
            textarea,
            limit,
            unit,
            saved: draft.to_owned(),
        }
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    /// The length as the network counts it.
    pub fn length(&self) -> usize {
        let text = self.text();
        match self.unit {
            LengthUnit::Characters => text.chars().count(),
            LengthUnit::Graphemes => text.graphemes(true).count(),
        }
    }

    pub fn check(&self) -> Result<String, NotSendable> {
        let text = self.text();
        if text.trim().is_empty() {
            return Err(NotSendable::Empty);
        }
        let length = self.length();
        if length > self.limit {
            return Err(NotSendable::TooLong {
                length,
                limit: self.limit,
            });
        }
        Ok(text)
    }

    /// Passes a key to the text area; true when the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        self.textarea.input(key)
    }

    /// Inserts pasted text; control characters other than newlines and tabs are dropped.
    pub fn paste(&mut self, text: &str) {
        let clean: String = text
            .chars()
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
            .collect();
        self.textarea.insert_str(clean);
    }

    /// The text if it changed since it was last saved as a draft (and marks it saved).
    pub fn take_unsaved(&mut self) -> Option<String> {
        let text = self.text();
        if text == self.saved {
            return None;
        }
        self.saved.clone_from(&text);
        Some(text)
    }

    pub fn is_empty(&self) -> bool {
        self.text().trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn typed(composer: &mut Composer, text: &str) {
        for c in text.chars() {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            composer.input(KeyEvent::new(code, KeyModifiers::NONE));
        }
    }

    #[test]
    fn enter_makes_a_new_line_and_the_draft_round_trips() {
        let mut composer = Composer::new(1, "", 500, LengthUnit::Characters);
        typed(&mut composer, "Hi Layla,\nsorry!");
        assert_eq!(composer.text(), "Hi Layla,\nsorry!");
        let restored = Composer::new(1, &composer.text(), 500, LengthUnit::Characters);
        assert_eq!(restored.text(), "Hi Layla,\nsorry!");
    }

    #[test]
    fn length_is_counted_the_networks_way_and_checked() {
        let family = "👨‍👩‍👧"; // one grapheme, five characters
        let chars = Composer::new(1, family, 4, LengthUnit::Characters);
        assert_eq!(chars.length(), 5);
        assert_eq!(
            chars.check(),
            Err(NotSendable::TooLong {
                length: 5,
                limit: 4
            })
        );
        let graphemes = Composer::new(1, family, 4, LengthUnit::Graphemes);
        assert_eq!(graphemes.length(), 1);
        assert_eq!(graphemes.check(), Ok(family.to_string()));
        assert_eq!(
            Composer::new(1, " \n ", 4, LengthUnit::Characters).check(),
            Err(NotSendable::Empty)
        );
    }

    #[test]
    fn unsaved_text_is_reported_once() {
        let mut composer = Composer::new(1, "draft", 500, LengthUnit::Characters);
        assert_eq!(composer.take_unsaved(), None);
        typed(&mut composer, "!");
        assert_eq!(composer.take_unsaved().as_deref(), Some("draft!"));
        assert_eq!(composer.take_unsaved(), None);
    }

    #[test]
    fn pasted_escape_sequences_are_dropped() {
        let mut composer = Composer::new(1, "", 500, LengthUnit::Characters);
        composer.paste("a\u{1b}[31mb\nc");
        assert_eq!(composer.text(), "a[31mb\nc");
    }
}
