//! The part of storing a page that needs no database: the list's snippet, the author's shown
//! name, sentiment and (when a rule asks) language. Done before the write transaction, so the
//! database's write lock is held only for database work and a sync can prepare one page while
//! the last one is being written.

use crate::model::{Direction, IncomingItem, Millis, Sentiment, to_millis};
use crate::rules::RuleSet;

/// The longest snippet kept for the list; the full text stays in the message.
const SNIPPET_CHARS: usize = 200;

/// A fetched item with what is derived from it, ready to be written.
#[derive(Debug, Clone)]
pub struct PreparedItem {
    pub item: IncomingItem,
    pub(super) created_at: Millis,
    pub(super) snippet: String,
    pub(super) author_name: String,
    pub(super) sentiment: Option<Sentiment>,
    pub(super) language: Option<whatlang::Lang>,
}

/// Prepares a page of items; `rules` says whether languages need detecting.
pub fn prepare(items: Vec<IncomingItem>, rules: &RuleSet) -> Vec<PreparedItem> {
    let detect_language = rules.uses_language();
    items
        .into_iter()
        .map(|item| {
            let message = &item.message;
            let inbound = message.direction == Direction::In;
            let author_name = message
                .author
                .name
                .clone()
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| message.author.handle.clone());
            PreparedItem {
                created_at: to_millis(message.created_at),
                snippet: snippet(&message.text),
                author_name,
                // Only customers' messages are scored (the brand's own tone is not in question).
                sentiment: inbound
                    .then(|| crate::sentiment::of(&message.text))
                    .flatten(),
                language: (inbound && detect_language)
                    .then(|| crate::rules::text::detect_language(&message.text))
                    .flatten(),
                item,
            }
        })
        .collect()
}

/// The first line of a message, cut to a length the list can show.
pub(in crate::store) fn snippet(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("");
    line.chars().take(SNIPPET_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_takes_the_first_non_empty_line() {
        assert_eq!(snippet("\n  \n  hello there \nsecond"), "hello there");
        assert_eq!(snippet(&"é".repeat(500)).chars().count(), SNIPPET_CHARS);
    }
}
