//! The sync engine: fetches each account's streams into the store on a schedule and delivers the
//! outbox, backing off when a network fails or asks to slow down. It reports what it does as
//! [`SyncEvent`]s, which the inbox shows in its status bar and `hark sync` prints.

mod backoff;
mod checkpointer;
mod page_writer;
mod store_cell;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};

pub use backoff::Backoff;
use page_writer::{PageWriter, PreparingPage};
pub use store_cell::StoreCell;

use crate::clock::SharedClock;
use crate::model::{Millis, OutboxAction};
use crate::networks::{Network, NetworkError, ReplyRequest};
use crate::rules::RuleSet;
use crate::store::{ClaimedAction, IngestReport, StoreError};

/// A delivery is given up after this many attempts, and shown as failed with its last reason.
pub const MAX_DELIVERY_ATTEMPTS: i64 = 8;
/// A `sending` entry older than this was left by a process that stopped mid-delivery.
const STALE_SENDING: Duration = Duration::from_secs(120);
/// The sync lease is renewed this often…
const LEASE_RENEW: Duration = Duration::from_secs(10);
/// …and another process may take it over when it has not been renewed for this long.
const LEASE_TTL: Duration = Duration::from_secs(45);
/// The same, in milliseconds, for those who judge a lease from outside (`hark doctor`).
pub const LEASE_TTL_MILLIS: i64 = 45_000;
/// How often the outbox is checked for work queued by other processes.
const OUTBOX_POLL: Duration = Duration::from_secs(2);
/// Pages fetched from one stream in one pass, at most, so one busy stream cannot starve others.
const MAX_PAGES_PER_PASS: usize = 200;
/// Fetched pages waiting to be written, at most, while the next one is fetched.
const PAGES_IN_FLIGHT: usize = 4;

/// The outcome of the page writer's task.
fn joined(
    outcome: Result<Result<PassSummary, SyncError>, tokio::task::JoinError>,
) -> Result<PassSummary, SyncError> {
    outcome.map_err(|join_error| SyncError::Task(join_error.to_string()))?
}

/// One account the engine syncs.
#[derive(Clone)]
pub struct SyncAccount {
    pub account_id: i64,
    pub name: String,
    pub network: Arc<dyn Network>,
    pub interval: Duration,
}

/// What the engine reports as it works.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    Started {
        account: String,
    },
    /// Another process syncs this database; this one only delivers its own outbox.
    Standby {
        holder: String,
    },
    Fetched {
        account: String,
        stream: String,
        report: IngestReport,
    },
    Finished {
        account: String,
        new_messages: usize,
        new_conversations: usize,
    },
    Failed {
        account: String,
        message: String,
        /// None when retrying will not help (e.g. the credentials were refused).
        retry_in: Option<Duration>,
    },
    Delivered {
        account: String,
        outbox_id: i64,
        action: OutboxAction,
    },
    DeliveryFailed {
        account: String,
        outbox_id: i64,
        message: String,
        /// None when hark has given up on this entry.
        retry_in: Option<Duration>,
    },
    /// A Slack message or hook run went through.
    Notified {
        channel: String,
    },
    NotificationFailed {
        channel: String,
        message: String,
        /// None when hark has given up on this notification.
        retry_in: Option<Duration>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{stream}: {source}")]
    Network {
        stream: String,
        source: NetworkError,
    },
    #[error("a background task stopped unexpectedly: {0}")]
    Task(String),
}

/// What one pass over an account did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassSummary {
    pub new_messages: usize,
    pub new_conversations: usize,
    pub duplicates: usize,
    pub reopened: usize,
    pub delivered: usize,
    pub delivery_failures: usize,
    /// Snoozed conversations whose time came.
    pub woken: usize,
}

impl PassSummary {
    fn add_report(&mut self, report: &IngestReport) {
        self.new_messages += report.new_messages;
        self.new_conversations += report.new_conversations;
        self.duplicates += report.duplicates;
        self.reopened += report.reopened.len();
    }

    /// Adds what fetching did (pages written); deliveries and wakes are counted elsewhere.
    fn add(&mut self, fetched: &PassSummary) {
        self.new_messages += fetched.new_messages;
        self.new_conversations += fetched.new_conversations;
        self.duplicates += fetched.duplicates;
        self.reopened += fetched.reopened;
    }
}

pub struct SyncEngine {
    store: StoreCell,
    clock: SharedClock,
    events: mpsc::UnboundedSender<SyncEvent>,
    rules: Arc<RuleSet>,
    notifier: Option<Arc<crate::integrations::Notifier>>,
    checkpointer: checkpointer::Checkpointer,
}

impl SyncEngine {
    pub fn new(
        store: StoreCell,
        clock: SharedClock,
        events: mpsc::UnboundedSender<SyncEvent>,
    ) -> SyncEngine {
        SyncEngine {
            checkpointer: checkpointer::Checkpointer::for_database(store.path()),
            store,
            clock,
            events,
            rules: Arc::new(RuleSet::default()),
            notifier: None,
        }
    }

    /// Delivers these integrations' notifications while this process holds the sync lease.
    pub fn with_integrations(
        mut self,
        integrations: crate::integrations::Integrations,
    ) -> SyncEngine {
        self.notifier = (!integrations.is_empty()).then(|| {
            Arc::new(crate::integrations::Notifier::new(
                self.store.clone(),
                Arc::clone(&self.clock),
                self.events.clone(),
                Arc::new(integrations),
            ))
        });
        self
    }

    /// One notification pass (for a one-off sync that holds the lease).
    pub async fn notify_once(&self) -> Result<(), SyncError> {
        match &self.notifier {
            Some(notifier) => notifier.run_once().await,
            None => Ok(()),
        }
    }

    /// Runs these triage rules on every new customer message.
    pub fn with_rules(mut self, rules: RuleSet) -> SyncEngine {
        self.rules = Arc::new(rules);
        self
    }

    fn emit(&self, event: SyncEvent) {
        // Nobody listening (e.g. a test) is fine.
        let _ = self.events.send(event);
    }

    fn now(&self) -> Millis {
        self.clock.now_millis()
    }

    /// Takes the sync lease for a one-off sync (answers the holder when another process has it).
    pub async fn try_lease(&self) -> Result<Option<String>, SyncError> {
        let me = crate::store::lease::this_process();
        let now = self.now();
        let ttl = i64::try_from(LEASE_TTL.as_millis()).unwrap_or(i64::MAX);
        let holder = me.clone();
        let lease = self
            .store
            .run(move |store| store.acquire_sync_lease(&holder, now, ttl))
            .await?;
        Ok((lease.holder != me).then_some(lease.holder))
    }

    /// Gives back the lease taken by [`SyncEngine::try_lease`].
    pub async fn release_lease(&self) -> Result<(), SyncError> {
        let me = crate::store::lease::this_process();
        self.store
            .run(move |store| store.release_sync_lease(&me))
            .await
    }

    /// Fetches every stream of the account until it is up to date, then delivers what is due.
    pub async fn sync_once(&self, account: &SyncAccount) -> Result<PassSummary, SyncError> {
        self.emit(SyncEvent::Started {
            account: account.name.clone(),
        });
        let mut summary = PassSummary::default();
        let now = self.now();
        summary.woken = self
            .store
            .run(move |store| store.wake_snoozed(now))
            .await?
            .len();
        // Each stream on its own: one failing (DMs the password may not reach, say) does not
        // keep the others from coming in. The first error is answered once all have been tried.
        let mut fetched = Ok(());
        for stream in account.network.streams() {
            let result = self.fetch_stream(account, stream, &mut summary).await;
            if fetched.is_ok() {
                fetched = result;
            }
        }
        if fetched.is_ok() {
            self.emit(SyncEvent::Finished {
                account: account.name.clone(),
                new_messages: summary.new_messages,
                new_conversations: summary.new_conversations,
            });
        }
        // The outbox goes out even when fetching failed: replies do not wait on mentions.
        let delivery = self.deliver_due(account).await?;
        summary.delivered = delivery.delivered;
        summary.delivery_failures = delivery.delivery_failures;
        fetched.map(|()| summary)
    }

    /// Fetches one stream until it is up to date. Each page is prepared on its own task while
    /// the next one is fetched (the network's wait, the CPU's and the database's overlap), and
    /// handed to one writer, which stores pages in the order they came and the cursor saved with
    /// the last never passes an unwritten page. At most `PAGES_IN_FLIGHT` fetched pages wait to
    /// be written; the writer stores the pages that come quickly in one transaction.
    async fn fetch_stream(
        &self,
        account: &SyncAccount,
        stream: &'static str,
        summary: &mut PassSummary,
    ) -> Result<(), SyncError> {
        let account_id = account.account_id;
        let mut position = self
            .store
            .run(move |store| store.sync_cursor(account_id, stream))
            .await?
            .and_then(|state| state.cursor);
        let (queue, waiting) = mpsc::channel(PAGES_IN_FLIGHT);
        let writer = tokio::spawn(self.page_writer(account, stream).run(waiting));
        for _ in 0..MAX_PAGES_PER_PASS {
            let asked = std::time::Instant::now();
            let fetched = account
                .network
                .fetch_since(stream, position.as_deref())
                .await;
            let fetch_took = asked.elapsed();
            let page = match fetched {
                Ok(page) => page,
                Err(source) => {
                    drop(queue);
                    summary.add(&joined(writer.await)?);
                    let message = source.to_string();
                    let now = self.now();
                    self.store
                        .run(move |store| {
                            store.record_sync_error(account_id, stream, &message, now)
                        })
                        .await?;
                    return Err(SyncError::Network {
                        stream: stream.to_owned(),
                        source,
                    });
                }
            };
            let again = page.resume.is_some() || page.more;
            position = page.resume.clone().or(page.cursor.clone()).or(position);
            let rules = Arc::clone(&self.rules);
            let items = page.items;
            let prepared = PreparingPage {
                items: tokio::task::spawn_blocking(move || crate::store::prepare(items, &rules)),
                cursor: page.cursor,
                fetch_took,
            };
            // The writer stops only on a failed write: that ends the pass now rather than
            // after more fetching.
            if writer.is_finished() || queue.send(prepared).await.is_err() || !again {
                break;
            }
        }
        drop(queue);
        summary.add(&joined(writer.await)?);
        Ok(())
    }

    fn page_writer(&self, account: &SyncAccount, stream: &'static str) -> PageWriter {
        PageWriter {
            store: self.store.clone(),
            clock: Arc::clone(&self.clock),
            rules: Arc::clone(&self.rules),
            events: self.events.clone(),
            checkpointer: self.checkpointer.clone(),
            account_id: account.account_id,
            account_name: account.name.clone(),
            network: account.network.kind(),
            stream,
        }
    }

    /// Delivers every outbox entry of the account that is due now.
    pub async fn deliver_due(&self, account: &SyncAccount) -> Result<PassSummary, SyncError> {
        let mut summary = PassSummary::default();
        let account_id = account.account_id;
        // Deliveries a crashed process left half-done go back to the queue first.
        let now = self.now();
        let stale_before = now - i64::try_from(STALE_SENDING.as_millis()).unwrap_or(0);
        self.store
            .run(move |store| store.requeue_stale_sending(stale_before, now))
            .await?;
        loop {
            let now = self.now();
            let claimed = self
                .store
                .run(move |store| store.claim_due_action(account_id, now))
                .await?;
            let Some(claimed) = claimed else {
                return Ok(summary);
            };
            let outbox_id = claimed.entry.id;
            let action = claimed.entry.action;
            match perform(account.network.as_ref(), &claimed).await {
                Ok(remote_id) => {
                    let now = self.now();
                    self.store
                        .run(move |store| {
                            store.complete_action(outbox_id, remote_id.as_deref(), now)
                        })
                        .await?;
                    summary.delivered += 1;
                    self.emit(SyncEvent::Delivered {
                        account: account.name.clone(),
                        outbox_id,
                        action,
                    });
                }
                Err(error) => {
                    summary.delivery_failures += 1;
                    let attempts = claimed.entry.attempts;
                    let message = error.to_string();
                    let now_at = self.clock.now();
                    let now = self.now();
                    let retry_in =
                        (error.is_retryable() && attempts < MAX_DELIVERY_ATTEMPTS).then(|| {
                            Backoff::DELIVERY.for_error(
                                &error,
                                u32::try_from(attempts).unwrap_or(u32::MAX),
                                now_at,
                            )
                        });
                    let text = message.clone();
                    match retry_in {
                        Some(wait) => {
                            let retry_at =
                                now + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                            self.store
                                .run(move |store| {
                                    store.retry_action_later(outbox_id, &text, retry_at, now)
                                })
                                .await?
                        }
                        None => {
                            self.store
                                .run(move |store| store.fail_action(outbox_id, &text, now))
                                .await?
                        }
                    }
                    self.emit(SyncEvent::DeliveryFailed {
                        account: account.name.clone(),
                        outbox_id,
                        message,
                        retry_in,
                    });
                    if matches!(
                        error,
                        NetworkError::RateLimited { .. } | NetworkError::Auth(_)
                    ) {
                        // The rest of the queue would meet the same answer.
                        return Ok(summary);
                    }
                }
            }
        }
    }

    /// Runs every account on its schedule until `shutdown` turns true. `wake` asks for an
    /// outbox pass at once (after this process queued something).
    pub async fn run(
        self: Arc<Self>,
        accounts: Vec<SyncAccount>,
        wake: Arc<Notify>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut tasks = Vec::new();
        let holding = Arc::new(AtomicBool::new(false));
        {
            let engine = Arc::clone(&self);
            let holding = Arc::clone(&holding);
            let wake = Arc::clone(&wake);
            let shutdown = shutdown.clone();
            tasks.push(tokio::spawn(async move {
                engine.keep_lease(holding, wake, shutdown).await
            }));
        }
        if let Some(notifier) = &self.notifier {
            let notifier = Arc::clone(notifier);
            let holding = Arc::clone(&holding);
            let wake = Arc::clone(&wake);
            let shutdown = shutdown.clone();
            tasks.push(tokio::spawn(async move {
                notifier.run(holding, wake, shutdown).await;
            }));
        }
        for account in accounts {
            let engine = Arc::clone(&self);
            let wake = Arc::clone(&wake);
            let shutdown = shutdown.clone();
            let holding = Arc::clone(&holding);
            tasks.push(tokio::spawn(async move {
                engine.run_account(account, wake, holding, shutdown).await;
            }));
        }
        let _ = shutdown.wait_for(|stop| *stop).await;
        for task in tasks {
            let _ = task.await;
        }
    }

    /// Holds the database's sync lease while this process runs (renewing it), or watches for
    /// the holder to stop so that this process can take over. Only the holder fetches.
    async fn keep_lease(
        &self,
        holding: Arc<AtomicBool>,
        wake: Arc<Notify>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let me = crate::store::lease::this_process();
        let ttl = i64::try_from(LEASE_TTL.as_millis()).unwrap_or(i64::MAX);
        let mut last_holder = String::new();
        loop {
            let now = self.now();
            let holder = me.clone();
            match self
                .store
                .run(move |store| store.acquire_sync_lease(&holder, now, ttl))
                .await
            {
                Ok(lease) => {
                    let mine = lease.holder == me;
                    if holding.swap(mine, Ordering::SeqCst) != mine || lease.holder != last_holder {
                        if mine {
                            wake.notify_waiters();
                        } else {
                            self.emit(SyncEvent::Standby {
                                holder: lease.holder.clone(),
                            });
                        }
                        last_holder = lease.holder;
                    }
                }
                Err(err) => tracing::warn!(%err, "could not renew the sync lease"),
            }
            tokio::select! {
                _ = tokio::time::sleep(LEASE_RENEW) => {}
                _ = shutdown.changed() => {
                    if holding.load(Ordering::SeqCst) {
                        let holder = me.clone();
                        let _ = self.store.run(move |store| store.release_sync_lease(&holder)).await;
                    }
                    return;
                }
            }
        }
    }

    async fn run_account(
        &self,
        account: SyncAccount,
        wake: Arc<Notify>,
        holding: Arc<AtomicBool>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut failures: u32 = 0;
        let mut next_fetch = tokio::time::Instant::now();
        loop {
            if *shutdown.borrow() {
                return;
            }
            if tokio::time::Instant::now() >= next_fetch && holding.load(Ordering::SeqCst) {
                match self.sync_once(&account).await {
                    Ok(_) => {
                        failures = 0;
                        next_fetch = tokio::time::Instant::now() + account.interval;
                    }
                    Err(error) => {
                        failures += 1;
                        let retry_in = match &error {
                            SyncError::Network {
                                source: NetworkError::Auth(_),
                                ..
                            } => None,
                            SyncError::Network { source, .. } => {
                                Some(Backoff::FETCH.for_error(source, failures, self.clock.now()))
                            }
                            _ => Some(Backoff::FETCH.after(failures)),
                        };
                        tracing::warn!(account = %account.name, %error, ?retry_in, "sync failed");
                        self.emit(SyncEvent::Failed {
                            account: account.name.clone(),
                            message: error.to_string(),
                            retry_in,
                        });
                        match retry_in {
                            Some(wait) => next_fetch = tokio::time::Instant::now() + wait,
                            None => {
                                // The credentials need a person; stop fetching until restarted.
                                let _ = shutdown.wait_for(|stop| *stop).await;
                                return;
                            }
                        }
                    }
                }
            } else if let Err(error) = self.deliver_due(&account).await {
                tracing::warn!(account = %account.name, %error, "outbox pass failed");
            }
            let wait = if holding.load(Ordering::SeqCst) {
                next_fetch
                    .saturating_duration_since(tokio::time::Instant::now())
                    .min(OUTBOX_POLL)
            } else {
                OUTBOX_POLL
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Carries out one outbox entry on the network; for a reply, answers the id it was given.
async fn perform(
    network: &dyn Network,
    claimed: &ClaimedAction,
) -> Result<Option<String>, NetworkError> {
    let entry = &claimed.entry;
    match entry.action {
        OutboxAction::Reply => {
            let request = ReplyRequest {
                kind: claimed.conversation_kind,
                root_remote_id: claimed.root_remote_id.clone(),
                in_reply_to: entry.target_remote_id.clone(),
                recipient: claimed.customer_remote_id.clone(),
                text: claimed.text.clone().unwrap_or_default(),
                idempotency_key: entry.idempotency_key.clone(),
                attempt: entry.attempts,
                created_at: crate::model::from_millis(entry.created_at),
                customer_last_message_at: claimed.last_inbound_at.map(crate::model::from_millis),
            };
            Ok(Some(network.reply(&request).await?.remote_id))
        }
        OutboxAction::PrivateReply => {
            let comment = entry.target_remote_id.as_deref().ok_or_else(|| {
                NetworkError::Rejected("a private reply without the comment it answers".into())
            })?;
            let text = claimed.text.as_deref().unwrap_or_default();
            match network.private_reply(comment, text).await {
                Ok(sent) => Ok(Some(sent.remote_id)),
                // An earlier attempt whose answer was lost (a timeout, a process stopped
                // mid-send) may have been that one reply: it went out, under an id not known.
                Err(NetworkError::AlreadyDone(said)) if entry.attempts > 1 => {
                    tracing::info!(%said, comment, "private reply taken as sent by an earlier attempt");
                    Ok(None)
                }
                Err(error) => Err(error),
            }
        }
        OutboxAction::Hide | OutboxAction::Unhide => {
            let target = entry.target_remote_id.as_deref().unwrap_or_default();
            network
                .set_hidden(target, entry.action == OutboxAction::Hide)
                .await?;
            Ok(None)
        }
        OutboxAction::Close => {
            network
                .conversation_closed(claimed.conversation_kind, &claimed.root_remote_id)
                .await?;
            Ok(None)
        }
        OutboxAction::Like | OutboxAction::Unlike => {
            let target = entry.target_remote_id.as_deref().ok_or_else(|| {
                NetworkError::Rejected(
                    "nothing to like: the message has no id on the network".into(),
                )
            })?;
            network
                .set_liked(target, entry.action == OutboxAction::Like)
                .await?;
            Ok(None)
        }
    }
}
