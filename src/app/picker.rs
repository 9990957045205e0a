//! The `##` picker: fuzzy matching (fuzzy-matcher's skim algorithm) over saved replies' titles,
//! shortcuts and bodies, most relevant first.

use std::sync::Arc;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::store::SavedReply;

/// Body text beyond this many characters is not searched (bodies are long; titles say more).
const BODY_CHARS: usize = 300;
/// Matches shown at most.
pub const SHOWN: usize = 8;

/// A saved reply that matches what was typed after `##`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerMatch {
    /// Index into the list of saved replies.
    pub index: usize,
    pub score: i64,
    /// Character positions of the title that matched, to highlight.
    pub title_hits: Vec<usize>,
}

/// An open picker: where its `##` is in the composer, what was typed after it, and the matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    /// The saved replies' bodies, lowercased (once, when the replies were loaded).
    bodies: Arc<[String]>,
    pub row: usize,
    /// The column (in characters) of the first '#'.
    pub column: usize,
    pub query: String,
    pub matches: Vec<PickerMatch>,
    pub selected: usize,
}

impl Picker {
    pub fn new(row: usize, column: usize, replies: &[SavedReply], bodies: Arc<[String]>) -> Picker {
        let bodies = if bodies.len() == replies.len() {
            bodies
        } else {
            lowercase_bodies(replies)
        };
        let mut picker = Picker {
            bodies,
            row,
            column,
            query: String::new(),
            matches: Vec::new(),
            selected: 0,
        };
        picker.matches = rank_with(replies, &picker.bodies, "", None);
        picker
    }

    /// Filters again for a new query, looking only at what matched before when the new query
    /// extends the old one (a longer query never matches more).
    pub fn set_query(&mut self, query: &str, replies: &[SavedReply]) {
        if query == self.query {
            return;
        }
        let narrowing = query.starts_with(&self.query) && !self.query.is_empty();
        let candidates: Option<Vec<usize>> =
            narrowing.then(|| self.matches.iter().map(|m| m.index).collect());
        if self.bodies.len() != replies.len() {
            self.bodies = lowercase_bodies(replies);
        }
        self.matches = rank_with(replies, &self.bodies, query, candidates.as_deref());
        self.query = query.to_owned();
        self.selected = 0;
    }

    pub fn chosen(&self) -> Option<&PickerMatch> {
        self.matches.get(self.selected)
    }

    pub fn move_by(&mut self, step: isize) {
        let shown = self.matches.len().min(SHOWN);
        if shown > 0 {
            self.selected = self.selected.saturating_add_signed(step).min(shown - 1);
        }
    }
}

/// Every matching reply (or only those in `candidates`), best first; ties go to the most used,
/// then the most recently used. An empty query matches everything.
///
/// Titles and shortcuts are scored with the skim algorithm (a shortcut typed exactly wins).
/// Bodies are long, so they are tested the cheap way: the query's letters in order
/// (case-insensitive), scored by how many of its words appear whole; a body match ranks below
/// any title match. Match positions are computed only for the rows shown.
pub fn rank(replies: &[SavedReply], query: &str, candidates: Option<&[usize]>) -> Vec<PickerMatch> {
    rank_with(replies, &lowercase_bodies(replies), query, candidates)
}

/// The start of each body, lowercased: what the picker searches in bodies.
pub fn lowercase_bodies(replies: &[SavedReply]) -> Arc<[String]> {
    replies
        .iter()
        .map(|reply| {
            let end = reply
                .body
                .char_indices()
                .nth(BODY_CHARS)
                .map_or(reply.body.len(), |(i, _)| i);
            reply.body[..end].to_lowercase()
        })
        .collect()
}

fn rank_with(
    replies: &[SavedReply],
    bodies: &[String],
    query: &str,
    candidates: Option<&[usize]>,
) -> Vec<PickerMatch> {
    let matcher = SkimMatcherV2::default().ignore_case();
    let query = query.trim();
    let lower_query = query.to_lowercase();
    let words: Vec<&str> = lower_query.split_whitespace().collect();
    let score_of = |index: usize| -> Option<PickerMatch> {
        let reply = replies.get(index)?;
        if query.is_empty() {
            return Some(PickerMatch {
                index,
                score: 0,
                title_hits: Vec::new(),
            });
        }
        let title = matcher
            .fuzzy_match(&reply.title, query)
            .map(|score| score * 2 + 1000);
        let shortcut = reply.shortcut.as_deref().and_then(|s| {
            if s.eq_ignore_ascii_case(query) {
                Some(i64::MAX / 4)
            } else {
                matcher.fuzzy_match(s, query).map(|score| score * 3 + 1000)
            }
        });
        let best = [title, shortcut].into_iter().flatten().max().or_else(|| {
            let body = bodies.get(index)?;
            in_order(body, &lower_query).then(|| {
                let whole_words = words.iter().filter(|w| body.contains(**w)).count();
                1 + 10 * i64::try_from(whole_words).unwrap_or(0)
            })
        })?;
        Some(PickerMatch {
            index,
            score: best,
            title_hits: Vec::new(),
        })
    };
    let all: Vec<usize>;
    let indices = match candidates {
        Some(indices) => indices,
        None => {
            all = (0..replies.len()).collect();
            &all
        }
    };
    let score_all =
        |part: &[usize]| -> Vec<PickerMatch> { part.iter().filter_map(|&i| score_of(i)).collect() };
    let mut matches: Vec<PickerMatch> = if !query.is_empty() && indices.len() >= PARALLEL_FROM {
        // A long list is scored on two threads: a person typing waits for the slower half.
        let (first, second) = indices.split_at(indices.len() / 2);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| score_all(second));
            let mut matches = score_all(first);
            // Scoring does not panic; were it to, the first half is still shown.
            matches.extend(other.join().unwrap_or_default());
            matches
        })
    } else {
        score_all(indices)
    };
    matches.sort_by(|a, b| {
        let (ra, rb) = (&replies[a.index], &replies[b.index]);
        b.score
            .cmp(&a.score)
            .then(rb.use_count.cmp(&ra.use_count))
            .then(rb.last_used_at.cmp(&ra.last_used_at))
            .then(ra.title.cmp(&rb.title))
    });
    if !query.is_empty() {
        for found in matches.iter_mut().take(SHOWN) {
            if let Some((_, hits)) = matcher.fuzzy_indices(&replies[found.index].title, query) {
                found.title_hits = hits;
            }
        }
    }
    matches
}

/// Lists at least this long are scored on two threads.
const PARALLEL_FROM: usize = 1500;

/// Whether every non-space character of `query` appears in `text`, in order.
fn in_order(text: &str, query: &str) -> bool {
    let mut chars = text.chars();
    query
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|wanted| chars.any(|c| c == wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(
        id: i64,
        title: &str,
        shortcut: Option<&str>,
        body: &str,
        uses: i64,
        last: Option<i64>,
    ) -> SavedReply {
        SavedReply {
            id,
            title: title.into(),
            body: body.into(),
            shortcut: shortcut.map(str::to_owned),
            tags: Vec::new(),
            use_count: uses,
            last_used_at: last,
        }
    }

    fn titles(replies: &[SavedReply], query: &str) -> Vec<String> {
        rank(replies, query, None)
            .into_iter()
            .map(|m| replies[m.index].title.clone())
            .collect()
    }

    #[test]
    fn ranking_prefers_shortcuts_then_titles_then_bodies() {
        let replies = vec![
            reply(
                1,
                "Refund on its way",
                Some("refund"),
                "We've refunded you.",
                0,
                None,
            ),
            reply(
                2,
                "Payment page down",
                Some("pay"),
                "Our payment page is back.",
                0,
                None,
            ),
            reply(
                3,
                "Shipping delays",
                None,
                "Late payment of couriers delays boxes.",
                0,
                None,
            ),
        ];
        assert_eq!(
            titles(&replies, "pay")[0],
            "Payment page down",
            "exact shortcut first"
        );
        assert_eq!(
            titles(&replies, "paymnt")[..2],
            ["Payment page down", "Shipping delays"]
        );
        assert_eq!(
            titles(&replies, "couriers"),
            ["Shipping delays"],
            "bodies are searched"
        );
        assert!(titles(&replies, "xyzzy").is_empty());
        let hits = &rank(&replies, "rfnd", None)[0].title_hits;
        assert_eq!(hits, &vec![0, 2, 4, 5], "the matched letters of the title");
    }

    #[test]
    fn ties_go_to_the_most_used_then_the_most_recent() {
        let replies = vec![
            reply(1, "Thanks A", None, "x", 1, Some(10)),
            reply(2, "Thanks B", None, "x", 5, Some(5)),
            reply(3, "Thanks C", None, "x", 5, Some(50)),
        ];
        assert_eq!(titles(&replies, ""), ["Thanks C", "Thanks B", "Thanks A"]);
    }

    #[test]
    fn narrowing_the_query_only_looks_at_earlier_matches() {
        let replies: Vec<SavedReply> = (0..50)
            .map(|i| reply(i, &format!("Reply number {i}"), None, "body", 0, None))
            .collect();
        let mut picker = Picker::new(0, 0, &replies, lowercase_bodies(&replies));
        assert_eq!(picker.matches.len(), 50);
        picker.set_query("number 4", &replies);
        let narrowed: Vec<i64> = picker.matches.iter().map(|m| replies[m.index].id).collect();
        picker.set_query("number 4", &replies);
        assert!(narrowed.contains(&4) && narrowed.contains(&49));
        picker.set_query("number 49", &replies);
        assert_eq!(replies[picker.matches[0].index].id, 49);
        picker.move_by(5);
        assert!(picker.selected < SHOWN);
    }
}
