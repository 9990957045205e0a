//! The one task that stores a stream's fetched pages during a pass, in the order they were
//! fetched. While the pass's pages come quickly it keeps one transaction open — waiting a
//! little for the next page rather than committing at once — so that the database pages and
//! search-index pages that every page's write touches are written to the log once per
//! transaction, not once per page. Others' writes wait for it at most `LONGEST_OPEN` and a
//! page.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, error::TryRecvError};
use tokio::task::JoinHandle;

use super::checkpointer::Checkpointer;
use super::{PassSummary, StoreCell, SyncError, SyncEvent};
use crate::clock::SharedClock;
use crate::model::NetworkKind;
use crate::rules::RuleSet;
use crate::store::{IngestReport, OpenIngest, PageSource, PreparedItem, StoreResult};

/// How long an open transaction waits for the pass's next page before committing what it has,
/// when the last page took no longer than this to fetch (a local or nearby server answers in
/// about a millisecond; a page from a distant one, hundreds, is committed at once).
const LINGER: Duration = Duration::from_millis(10);
/// The longest one transaction stays open (after this, the page being stored is the last).
const LONGEST_OPEN: Duration = Duration::from_millis(50);

/// A fetched page whose items are being made ready to store, and the cursor to save with it.
pub(super) struct PreparingPage {
    pub items: JoinHandle<Vec<PreparedItem>>,
    pub cursor: Option<String>,
    /// How long the network took to answer it.
    pub fetch_took: Duration,
}

/// A page ready to store.
struct ReadyPage {
    items: Vec<PreparedItem>,
    cursor: Option<String>,
    fetch_took: Duration,
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

/// What one transaction stored, and the queue handed back.
struct Written {
    waiting: mpsc::Receiver<PreparingPage>,
    reports: Vec<IngestReport>,
    /// A page whose preparing failed: the pages before it are stored, the pass ends.
    failed: Option<SyncError>,
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
            // The transaction opens once there is something to write.
            let first = ready(first).await?;
            let written = self.write(first, waiting).await?;
            self.checkpointer.pages_written(written.reports.len());
            for report in written.reports {
                counts.add_report(&report);
                if report.new_messages > 0 || !report.reopened.is_empty() {
                    // Nobody listening (e.g. a test) is fine.
                    let _ = self.events.send(SyncEvent::Fetched {
                        account: self.account_name.clone(),
                        stream: self.stream.to_owned(),
                        report,
                    });
                }
            }
            if let Some(error) = written.failed {
                return Err(error);
            }
            waiting = written.waiting;
        }
        Ok(counts)
    }

    /// Stores `first` and the pages that follow it soon enough, in one transaction.
    async fn write(
        &self,
        first: ReadyPage,
        waiting: mpsc::Receiver<PreparingPage>,
    ) -> Result<Written, SyncError> {
        let rules = Arc::clone(&self.rules);
        let (account_id, network, stream) = (self.account_id, self.network, self.stream);
        let now = self.clock.now_millis();
        let checkpoints_elsewhere = self.checkpointer.enabled();
        let runtime = Handle::current();
        self.store
            .run(move |store| {
                let opened = Instant::now();
                let mut waiting = waiting;
                let mut last_fetch_took = first.fetch_took;
                let mut first = Some(first);
                let mut failed = None;
                let mut feed = |open: &mut OpenIngest<'_>| -> StoreResult<bool> {
                    let page = match first.take() {
                        Some(page) => page,
                        None => match next_page(&runtime, &mut waiting, opened, last_fetch_took) {
                            Some(page) => match runtime.block_on(ready(page)) {
                                Ok(page) => page,
                                Err(error) => {
                                    failed = Some(error);
                                    return Ok(false);
                                }
                            },
                            None => return Ok(false),
                        },
                    };
                    last_fetch_took = page.fetch_took;
                    let source = PageSource {
                        account_id,
                        network,
                        stream,
                        cursor: page.cursor.as_deref(),
                        now,
                    };
                    open.store_page(&source, &page.items)?;
                    Ok(true)
                };
                let reports = if checkpoints_elsewhere {
                    store.with_checkpoints_left_to_others(|store| {
                        store.ingest_pages_from(account_id, &rules, &mut feed)
                    })?
                } else {
                    store.ingest_pages_from(account_id, &rules, &mut feed)?
                };
                Ok(Written {
                    waiting,
                    reports,
                    failed,
                })
            })
            .await
    }
}

/// The next page for a transaction opened at `opened`: one waiting, or one that comes within
/// `LINGER` when the last page (fetched in `last_fetch_took`) came quickly; none once the queue
/// is closed or the transaction has been open long enough.
fn next_page(
    runtime: &Handle,
    waiting: &mut mpsc::Receiver<PreparingPage>,
    opened: Instant,
    last_fetch_took: Duration,
) -> Option<PreparingPage> {
    let left = LONGEST_OPEN.checked_sub(opened.elapsed())?;
    match waiting.try_recv() {
        Ok(page) => Some(page),
        Err(TryRecvError::Disconnected) => None,
        Err(TryRecvError::Empty) if last_fetch_took > LINGER => None,
        // Called on the blocking pool, never from async code: blocking here is its purpose.
        Err(TryRecvError::Empty) => runtime
            .block_on(tokio::time::timeout(left.min(LINGER), waiting.recv()))
            .ok()
            .flatten(),
    }
}

/// A page's prepared items and cursor, once preparing is done.
async fn ready(page: PreparingPage) -> Result<ReadyPage, SyncError> {
    let items = page
        .items
        .await
        .map_err(|join_error| SyncError::Task(join_error.to_string()))?;
    Ok(ReadyPage {
        items,
        cursor: page.cursor,
        fetch_took: page.fetch_took,
    })
}
