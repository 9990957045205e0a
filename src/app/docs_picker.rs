//! The `??` picker: Help Scout Docs articles searched as the person types, to put a short
//! summary and the article's link into the reply. The search itself runs in the runtime; this
//! keeps what was typed and what came back.

use crate::integrations::helpscout::Article;

/// Matches shown at most.
pub const SHOWN: usize = 8;

/// Where the search stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocsResults {
    /// Nothing typed yet after `??`.
    Waiting,
    Searching,
    Found {
        articles: Vec<Article>,
        /// Said above the results, e.g. that they are cached from before an error.
        note: Option<String>,
    },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsPicker {
    pub row: usize,
    /// The column (in characters) of the first '?'.
    pub column: usize,
    pub query: String,
    pub results: DocsResults,
    pub selected: usize,
    /// The query changed and has not been asked for yet.
    pending: bool,
}

impl DocsPicker {
    pub fn new(row: usize, column: usize) -> DocsPicker {
        DocsPicker {
            row,
            column,
            query: String::new(),
            results: DocsResults::Waiting,
            selected: 0,
            pending: false,
        }
    }

    pub fn set_query(&mut self, query: &str) {
        if query == self.query {
            return;
        }
        query.clone_into(&mut self.query);
        self.selected = 0;
        if query.trim().is_empty() {
            self.results = DocsResults::Waiting;
            self.pending = false;
        } else {
            self.results = DocsResults::Searching;
            self.pending = true;
        }
    }

    /// The query to search for, once per change.
    pub fn take_pending(&mut self) -> Option<String> {
        if !self.pending {
            return None;
        }
        self.pending = false;
        Some(self.query.trim().to_owned())
    }

    /// Results for `query`; answers for a query since changed are dropped.
    pub fn answered(&mut self, query: &str, results: DocsResults) {
        if self.query.trim() == query {
            self.results = results;
            self.selected = 0;
        }
    }

    pub fn articles(&self) -> &[Article] {
        match &self.results {
            DocsResults::Found { articles, .. } => articles,
            _ => &[],
        }
    }

    pub fn chosen(&self) -> Option<&Article> {
        self.articles().get(self.selected)
    }

    pub fn move_by(&mut self, step: isize) {
        let shown = self.articles().len().min(SHOWN);
        if shown > 0 {
            self.selected = self.selected.saturating_add_signed(step).min(shown - 1);
        }
    }
}
