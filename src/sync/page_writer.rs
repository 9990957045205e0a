//! The one task that stores a stream's fetched pages during a pass: pages in the order they
//! were fetched, the pages that are waiting when the database is free all in one transaction
//! (one commit writes the database pages and search-index pages they share once).

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::checkpointer::Checkpointer;
use super::{PassSummary, StoreCell, SyncError, SyncEvent};
use crate::clock::SharedClock;
use crate::model::NetworkKind;
use crate::rules::RuleSet;
use crate::store::{PageSource, PreparedItem};

/// A fetched page whose items are being made ready to store, and the cursor to save with it.
pub(super) struct PreparingPage {
    pub items: JoinHandle<Vec<PreparedItem>>,
    pub cursor: Option<String>,
}

pub(super) struct PageWriter {
    pub store: StoreCell,
    pub clock: SharedClock,
    pub rules: Arc<RuleSet>,
    pub events: mpsc::UnboundedSender<SyncEvent>,
    pub checkpointer: Checkpointer,
    pub account_id: i64,
    pub account_name: String,
    pub network: NetworkKind,
    pub stream: &'static str,
}

impl PageWriter {
    /// Stores pages until the queue closes; answers what they brought. Stops at the first
    /// page that cannot be stored (nothing of its transaction is kept).
    pub async fn run(
        self,
        mut waiting: mpsc::Receiver<PreparingPage>,
    ) -> Result<PassSummary, SyncError> {
        let mut counts = PassSummary::default();
        while let Some(first) = waiting.recv().await {
            let mut group = vec![ready(first).await?];
            while let Ok(next) = waiting.try_recv() {
                group.push(ready(next).await?);
            }
            self.write(group, &mut counts).await?;
        }
        Ok(counts)
    }

    /// Stores `pages` in one transaction, announcing what each brought.
    async fn write(
        &self,
        pages: Vec<(Vec<PreparedItem>, Option<String>)>,
        counts: &mut PassSummary,
    ) -> Result<(), SyncError> {
        let rules = Arc::clone(&self.rules);
        let (account_id, network, stream) = (self.account_id, self.network, self.stream);
        let now = self.clock.now_millis();
        let checkpoints_elsewhere = self.checkpointer.enabled();
        let reports = self
            .store
            .run(move |store| {
                let sources: Vec<(PageSource<'_>, &[PreparedItem])> = pages
                    .iter()
                    .map(|(items, cursor)| {
                        let source = PageSource {
                            account_id,
                            network,
                            stream,
                            cursor: cursor.as_deref(),
                            now,
                        };
                        (source, items.as_slice())
                    })
                    .collect();
                if checkpoints_elsewhere {
                    store.with_checkpoints_left_to_others(|store| {
                        store.ingest_pages(&sources, &rules)
                    })
                } else {
                    store.ingest_pages(&sources, &rules)
                }
            })
            .await?;
        self.checkpointer.page_written();
        for report in reports {
            counts.add_report(&report);
            if report.new_messages > 0 || !report.reopened.is_empty() {
                // Nobody listening (e.g. a test) is fine.
                let _ = self.events.send(SyncEvent::Fetched {
                    account: self.account_name.clone(),
                    stream: stream.to_owned(),
                    report,
                });
            }
        }
        Ok(())
    }
}

/// A page's prepared items and cursor, once preparing is done.
async fn ready(page: PreparingPage) -> Result<(Vec<PreparedItem>, Option<String>), SyncError> {
    let items = page
        .items
        .await
        .map_err(|join_error| SyncError::Task(join_error.to_string()))?;
    Ok((items, page.cursor))
}
