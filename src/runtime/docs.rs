//! Help Scout Docs searches for the composer's `??` picker, off the inbox's loop: a search
//! starts once typing pauses, answers from the cache while it is fresh, and falls back to an
//! older cached answer (saying so) when Help Scout cannot be reached.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Action;
use crate::app::docs_picker::DocsResults;
use crate::clock::SharedClock;
use crate::config::{HelpScoutConfig, Secret, SecretRef};
use crate::integrations::helpscout::{Article, DocsClient};
use crate::model::Millis;
use crate::sync::StoreCell;

/// Typing faster than this does not send a search per key.
const PAUSE: Duration = Duration::from_millis(250);

pub struct DocsSearcher {
    client: DocsClient,
    key_ref: SecretRef,
    key: Mutex<Option<Secret>>,
    cache_for: Millis,
    store: StoreCell,
    clock: SharedClock,
    /// Bumped by every search asked for; a search that is no longer the latest gives up.
    latest: AtomicU64,
}

impl DocsSearcher {
    /// A searcher when `[helpscout]` is set up (the config checked its key reference).
    pub fn new(
        config: &HelpScoutConfig,
        database: PathBuf,
        clock: SharedClock,
    ) -> Option<DocsSearcher> {
        Some(DocsSearcher {
            client: DocsClient::new(config),
            key_ref: config.api_key().ok()?,
            key: Mutex::new(None),
            cache_for: i64::try_from(config.cache_for().as_millis()).unwrap_or(i64::MAX),
            store: StoreCell::new(database),
            clock,
            latest: AtomicU64::new(0),
        })
    }

    /// Searches once typing pauses, answering with [`Action::DocsFound`].
    pub fn start(self: &Arc<Self>, query: String, answer: mpsc::UnboundedSender<Action>) {
        let ticket = self.latest.fetch_add(1, Ordering::SeqCst) + 1;
        let searcher = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(PAUSE).await;
            if searcher.latest.load(Ordering::SeqCst) != ticket {
                return;
            }
            let results = searcher.find(&query).await;
            let _ = answer.send(Action::DocsFound { query, results });
        });
    }

    /// The articles for `query`: cached, or asked of Help Scout.
    pub async fn find(&self, query: &str) -> DocsResults {
        let key = cache_key(query);
        let now = self.clock.now_millis();
        let lookup = key.clone();
        let cached = self
            .store
            .run(move |store| store.cached_docs_search(&lookup))
            .await
            .ok()
            .flatten()
            .and_then(|(json, at)| {
                serde_json::from_str::<Vec<Article>>(&json)
                    .ok()
                    .map(|articles| (articles, at))
            });
        if let Some((articles, at)) = &cached
            && now - at < self.cache_for
        {
            return DocsResults::Found {
                articles: articles.clone(),
                note: None,
            };
        }
        let asked = match self.secret() {
            Ok(secret) => self
                .client
                .search(&secret, query)
                .await
                .map_err(|e| e.to_string()),
            Err(message) => Err(message),
        };
        match (asked, cached) {
            (Ok(articles), _) => {
                if let Ok(json) = serde_json::to_string(&articles) {
                    let saved = self
                        .store
                        .run(move |store| store.cache_docs_search(&key, &json, now))
                        .await;
                    if let Err(err) = saved {
                        tracing::warn!(%err, "could not cache Docs results");
                    }
                }
                DocsResults::Found {
                    articles,
                    note: None,
                }
            }
            (Err(message), Some((articles, at))) => DocsResults::Found {
                articles,
                note: Some(format!(
                    "{message} — showing results from {} ago",
                    crate::text::age(at, now)
                )),
            },
            (Err(message), None) => DocsResults::Failed(message),
        }
    }

    fn secret(&self) -> Result<Secret, String> {
        let mut key = self.key.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(secret) = key.as_ref() {
            return Ok(secret.clone());
        }
        let secret = self
            .key_ref
            .resolve()
            .map_err(|err| format!("cannot read the Help Scout Docs API key: {err}"))?;
        *key = Some(secret.clone());
        Ok(secret)
    }
}

/// One cache entry for queries that differ only in case and spacing.
fn cache_key(query: &str) -> String {
    query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
