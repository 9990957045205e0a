//! Integrations: Slack webhooks and hooks hear of events through the notification queue (see
//! the store), and Help Scout Docs answers the composer's article searches.
//!
//! Notifications are delivered by the process that holds the sync lease (the daemon on a team
//! box, which is also the one holding the secrets), each channel on its own task so that a slow
//! hook never delays Slack, and none of it ever waits on the inbox or makes it wait.

pub mod helpscout;
pub mod hooks;
pub mod slack;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};

use crate::clock::SharedClock;
use crate::config::{Config, SecretRef};
use crate::model::Millis;
use crate::networks::NetworkError;
use crate::store::{ChannelSubscription, Notification};
use crate::sync::{Backoff, MAX_DELIVERY_ATTEMPTS, StoreCell, SyncError, SyncEvent};

/// How often each channel looks for new events and due notifications.
const POLL: Duration = Duration::from_secs(2);
/// How often open conversations are checked against their response-time targets.
const SLA_CHECK: Duration = Duration::from_secs(30);
/// Slack takes about one message per second per webhook.
pub const SLACK_PACE: Duration = Duration::from_secs(1);
/// A notification left `sending` longer than this was abandoned by its process.
const STALE_SENDING: Duration = Duration::from_secs(300);
/// Delivered notifications are kept this long (for `hark doctor`), then forgotten.
const KEEP_SENT: Duration = Duration::from_secs(30 * 86_400);

/// Where a channel's notifications go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Slack { webhook: SecretRef },
    Hook { command: String, timeout: Duration },
}

/// One configured receiver of events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// How people see it: "Slack support", "hook crm".
    pub label: String,
    pub subscription: ChannelSubscription,
    pub target: Target,
}

/// Everything the notification side needs from the config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Integrations {
    pub channels: Vec<Channel>,
    /// Response-time targets, as the store takes them, for SLA breach events.
    pub sla: Vec<(String, Option<String>, i64)>,
    /// The least time between two posts to one Slack webhook.
    pub slack_pace: Duration,
}

impl Integrations {
    pub fn from_config(config: &Config) -> Integrations {
        let mut channels = Vec::new();
        for slack in config.slack.iter().map(|s| s.get_ref()) {
            let Ok(webhook) = slack.webhook() else {
                continue; // refused when the config was read
            };
            channels.push(Channel {
                label: format!("Slack {}", slack.name),
                subscription: ChannelSubscription {
                    channel: slack.channel(),
                    events: slack.event_names(),
                    tags: slack.tags.clone(),
                    rules: slack.rules.clone(),
                    max_age: Some(millis(slack.max_age())),
                },
                target: Target::Slack { webhook },
            });
        }
        for hook in config.hooks.iter().map(|h| h.get_ref()) {
            channels.push(Channel {
                label: format!("hook {}", hook.display_name()),
                subscription: ChannelSubscription {
                    channel: hook.channel(),
                    events: hook.event_names(),
                    tags: Vec::new(),
                    rules: Vec::new(),
                    max_age: Some(millis(hook.max_age())),
                },
                target: Target::Hook {
                    command: hook.command.clone(),
                    timeout: hook.timeout(),
                },
            });
        }
        let sla = config
            .sla
            .targets()
            .map(|targets| targets.as_rows())
            .unwrap_or_default();
        Integrations {
            channels,
            sla,
            slack_pace: SLACK_PACE,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.channels.is_empty()
    }

    fn wants_sla(&self) -> bool {
        !self.sla.is_empty()
            && self
                .channels
                .iter()
                .any(|c| c.subscription.events.iter().any(|e| e == "sla_breached"))
    }
}

fn millis(duration: Duration) -> Millis {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Delivers notifications: the engine's side of the integrations.
pub struct Notifier {
    store: StoreCell,
    clock: SharedClock,
    events: mpsc::UnboundedSender<SyncEvent>,
    integrations: Arc<Integrations>,
    slack: slack::SlackWebhook,
}

impl Notifier {
    pub fn new(
        store: StoreCell,
        clock: SharedClock,
        events: mpsc::UnboundedSender<SyncEvent>,
        integrations: Arc<Integrations>,
    ) -> Notifier {
        Notifier {
            store,
            clock,
            events,
            integrations,
            slack: slack::SlackWebhook::new(),
        }
    }

    /// Runs every channel (and the SLA watch) while this process holds the sync lease, until
    /// `shutdown` turns true.
    pub async fn run(
        self: Arc<Self>,
        holding: Arc<AtomicBool>,
        wake: Arc<Notify>,
        shutdown: watch::Receiver<bool>,
    ) {
        let mut tasks = Vec::new();
        for index in 0..self.integrations.channels.len() {
            let notifier = Arc::clone(&self);
            let holding = Arc::clone(&holding);
            let wake = Arc::clone(&wake);
            let mut shutdown = shutdown.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    if holding.load(Ordering::SeqCst)
                        && let Err(error) = notifier.channel_pass(index).await
                    {
                        tracing::warn!(%error, "notification pass failed");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(POLL) => {}
                        _ = wake.notified() => {}
                        _ = shutdown.changed() => {}
                    }
                    if *shutdown.borrow() {
                        return;
                    }
                }
            }));
        }
        if self.integrations.wants_sla() {
            let notifier = Arc::clone(&self);
            let mut shutdown = shutdown.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    if holding.load(Ordering::SeqCst)
                        && let Err(error) = notifier.check_sla().await
                    {
                        tracing::warn!(%error, "SLA check failed");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(SLA_CHECK) => {}
                        _ = shutdown.changed() => {}
                    }
                    if *shutdown.borrow() {
                        return;
                    }
                }
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
    }

    /// One pass over everything: SLA breaches, then each channel (for `hark sync --once`).
    pub async fn run_once(&self) -> Result<(), SyncError> {
        if self.integrations.wants_sla() {
            self.check_sla().await?;
        }
        for index in 0..self.integrations.channels.len() {
            self.channel_pass(index).await?;
        }
        Ok(())
    }

    /// Logs an SLA breach for each conversation waiting past its target.
    pub async fn check_sla(&self) -> Result<usize, SyncError> {
        let rows = self.integrations.sla.clone();
        let now = self.clock.now_millis();
        self.store
            .run(move |store| {
                store.use_sla(&rows)?;
                store.record_sla_breaches(now)
            })
            .await
    }

    /// Queues the channel's new events, then delivers what is due.
    pub async fn channel_pass(&self, index: usize) -> Result<(), SyncError> {
        let Some(channel) = self.integrations.channels.get(index) else {
            return Ok(());
        };
        let subscription = channel.subscription.clone();
        let now = self.clock.now_millis();
        let stale_before = now - millis(STALE_SENDING);
        let forget_before = now - millis(KEEP_SENT);
        self.store
            .run(move |store| {
                store.requeue_stale_notifications(stale_before, now)?;
                store.prune_sent_notifications(forget_before)?;
                store.queue_notifications(&subscription, now)
            })
            .await?;
        let mut webhook = None;
        loop {
            let name = channel.subscription.channel.clone();
            let now = self.clock.now_millis();
            let claimed = self
                .store
                .run(move |store| store.claim_notification(&name, now))
                .await?;
            let Some(notification) = claimed else {
                return Ok(());
            };
            let result = match &channel.target {
                Target::Slack { webhook: secret } => {
                    // Read once a pass: a password manager may be slow to ask.
                    let url = webhook.get_or_insert_with(|| secret.resolve());
                    match url {
                        Ok(url) => {
                            let message = slack::message(&notification.payload);
                            let sent = self.slack.post(url, &message).await;
                            tokio::time::sleep(self.integrations.slack_pace).await;
                            sent.map_err(|error| {
                                if error.is_retryable() {
                                    Failure::Retry(error)
                                } else {
                                    Failure::Final(error.to_string())
                                }
                            })
                        }
                        Err(err) => Err(Failure::Retry(NetworkError::Transient(format!(
                            "cannot read the webhook URL: {err}"
                        )))),
                    }
                }
                Target::Hook { command, timeout } => {
                    // A hook may have done part of its work before it failed: it is not run
                    // twice for one event.
                    hooks::run(command, &notification.payload, *timeout)
                        .await
                        .map_err(|error| Failure::Final(error.to_string()))
                }
            };
            let stop = matches!(
                &result,
                Err(Failure::Retry(NetworkError::RateLimited { .. }))
            );
            self.settle(channel, &notification, result).await?;
            if stop {
                // The rest of the queue would meet the same answer.
                return Ok(());
            }
        }
    }

    async fn settle(
        &self,
        channel: &Channel,
        notification: &Notification,
        result: Result<(), Failure>,
    ) -> Result<(), SyncError> {
        let id = notification.id;
        let now = self.clock.now_millis();
        let (message, retry_in) = match result {
            Ok(()) => {
                self.store
                    .run(move |store| store.notification_sent(id, now))
                    .await?;
                self.emit(SyncEvent::Notified {
                    channel: channel.label.clone(),
                });
                return Ok(());
            }
            Err(Failure::Retry(error)) if notification.attempts < MAX_DELIVERY_ATTEMPTS => {
                let attempts = u32::try_from(notification.attempts).unwrap_or(u32::MAX);
                let wait = Backoff::DELIVERY.for_error(&error, attempts, self.clock.now());
                (error.to_string(), Some(wait))
            }
            Err(Failure::Retry(error)) => (error.to_string(), None),
            Err(Failure::Final(message)) => (message, None),
        };
        let text = message.clone();
        match retry_in {
            Some(wait) => {
                let retry_at = now + millis(wait);
                self.store
                    .run(move |store| store.retry_notification_later(id, &text, retry_at, now))
                    .await?;
            }
            None => {
                self.store
                    .run(move |store| store.fail_notification(id, &text, now))
                    .await?;
            }
        }
        tracing::warn!(channel = %channel.label, event = %notification.event, %message, "notification not delivered");
        self.emit(SyncEvent::NotificationFailed {
            channel: channel.label.clone(),
            message,
            retry_in,
        });
        Ok(())
    }

    fn emit(&self, event: SyncEvent) {
        let _ = self.events.send(event);
    }
}

enum Failure {
    Retry(NetworkError),
    Final(String),
}
