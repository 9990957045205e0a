//! The notification queue: Slack messages and hook runs, fed from the events log. Each channel
//! keeps its place in the log; moving it and queueing what it passed happen in one transaction,
//! so two processes never queue one event twice and a crash never skips one. Delivery follows
//! the outbox's discipline: claim, send, then mark sent, or retry later, or fail with a reason.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;
use serde_json::{Value, json};

use super::events::{Event, event_from};
use super::{Store, StoreResult};
use crate::model::{Millis, NetworkKind, from_millis};

/// What a channel wants to hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSubscription {
    /// "slack:NAME" or "hook:NAME".
    pub channel: String,
    /// Event names: new_conversation, assigned, sla_breached, reply_sent, closed.
    pub events: Vec<String>,
    /// New conversations only when they carry one of these tags (after the rules ran)…
    pub tags: Vec<String>,
    /// …or one of these rules matched them. Both empty: every new conversation.
    pub rules: Vec<String>,
    /// New conversations that started longer ago than this are not announced (history coming
    /// in on a first sync).
    pub max_age: Option<Millis>,
}

/// A queued notification, claimed for delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub channel: String,
    pub event_id: i64,
    pub event: String,
    pub payload: Value,
    pub attempts: i64,
}

/// How a channel's deliveries stand, for `hark doctor`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChannelHealth {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub last_sent_at: Option<Millis>,
    /// The newest error, and when it happened (a retry pending or a failure).
    pub last_error: Option<String>,
    pub last_error_at: Option<Millis>,
}

/// The events log's names for what integrations call events.
fn log_kind(event: &str) -> Option<&'static str> {
    Some(match event {
        "new_conversation" => "conversation_created",
        "assigned" => "assigned",
        "sla_breached" => "sla_breached",
        "reply_sent" => "reply_sent",
        "closed" => "closed",
        _ => return None,
    })
}

fn event_name(kind: &str) -> &str {
    match kind {
        "conversation_created" => "new_conversation",
        other => other,
    }
}

/// Events read from the log in one transaction, at most.
const BATCH: i64 = 500;

impl Store {
    /// Queues, for one channel, the events logged since it last looked. A channel seen for the
    /// first time starts at the end of the log: it hears of what happens from now on.
    pub fn queue_notifications(
        &mut self,
        subscription: &ChannelSubscription,
        now: Millis,
    ) -> StoreResult<usize> {
        self.write(|tx| {
            let newest: i64 =
                tx.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?;
            let cursor: Option<i64> = tx
                .query_row(
                    "SELECT last_event_id FROM notification_cursors WHERE channel = ?1",
                    [&subscription.channel],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(cursor) = cursor else {
                set_cursor(tx, &subscription.channel, newest)?;
                return Ok(0);
            };
            let kinds: Vec<&str> = subscription
                .events
                .iter()
                .filter_map(|e| log_kind(e))
                .collect();
            let kinds_json = serde_json::to_string(&kinds).unwrap_or_else(|_| "[]".into());
            let events: Vec<Event> = tx
                .prepare_cached(
                    "SELECT id, at, actor, kind, conversation_id, message_id, data FROM events
                     WHERE id > ?1 AND id <= ?2
                       AND kind IN (SELECT value FROM json_each(?3))
                     ORDER BY id LIMIT ?4",
                )?
                .query_map(params![cursor, newest, kinds_json, BATCH], event_from)?
                .collect::<rusqlite::Result<_>>()?;
            let reached = if events.len() as i64 == BATCH {
                events.last().map_or(newest, |e| e.id)
            } else {
                newest
            };
            let mut queued = 0;
            for event in &events {
                if !wanted(tx, subscription, event, now)? {
                    continue;
                }
                let payload = payload(tx, event)?;
                queued += tx.execute(
                    "INSERT OR IGNORE INTO notifications
                         (channel, event_id, event, conversation_id, payload, next_attempt_at,
                          created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6)",
                    params![
                        subscription.channel,
                        event.id,
                        event_name(&event.kind),
                        event.conversation_id,
                        payload.to_string(),
                        now
                    ],
                )?;
            }
            set_cursor(tx, &subscription.channel, reached)?;
            Ok(queued)
        })
    }

    /// Logs an `sla_breached` event for each open conversation that has waited past its target
    /// (the connection's targets, see [`Store::use_sla`]) and was not announced in this wait.
    pub fn record_sla_breaches(&mut self, now: Millis) -> StoreResult<usize> {
        self.write(|tx| {
            let breaches: Vec<(i64, Millis, Option<i64>)> = tx
                .prepare_cached(concat!(
                    "SELECT c.id, c.waiting_since,
                            (SELECT min(s.minutes) FROM temp.sla s
                             WHERE s.kind = 'default'
                                OR (s.kind = 'network' AND s.key = a.network)
                                OR (s.kind = 'tag' AND EXISTS (SELECT 1
                                       FROM conversation_tags x JOIN tags t ON t.id = x.tag_id
                                       WHERE x.conversation_id = c.id AND t.name = s.key)))
                     FROM conversations c JOIN accounts a ON a.id = c.account_id
                     WHERE ",
                    super::conversations::overdue!(),
                    " AND NOT EXISTS (SELECT 1 FROM events e
                         WHERE e.kind = 'sla_breached' AND e.conversation_id = c.id
                           AND e.at >= c.waiting_since)"
                ))?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (conversation_id, waiting_since, minutes) in &breaches {
                super::events::record_event(
                    tx,
                    now.max(*waiting_since),
                    super::events::SYNC_ACTOR,
                    super::events::EventKind::SlaBreached,
                    Some(*conversation_id),
                    None,
                    &json!({ "waiting_since": waiting_since, "target_minutes": minutes }),
                )?;
            }
            Ok(breaches.len())
        })
    }

    /// Takes the oldest due notification of a channel and marks it being sent.
    pub fn claim_notification(
        &mut self,
        channel: &str,
        now: Millis,
    ) -> StoreResult<Option<Notification>> {
        self.write(|tx| {
            let found = tx
                .prepare_cached(
                    "SELECT id, channel, event_id, event, payload, attempts FROM notifications
                     WHERE channel = ?1 AND state = 'queued' AND next_attempt_at <= ?2
                     ORDER BY id LIMIT 1",
                )?
                .query_row(params![channel, now], notification_from)
                .optional()?;
            let Some(mut notification) = found else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE notifications SET state = 'sending', attempts = attempts + 1,
                     claimed_by = ?2, updated_at = ?3
                 WHERE id = ?1",
                params![notification.id, super::lease::this_process(), now],
            )?;
            notification.attempts += 1;
            Ok(Some(notification))
        })
    }

    pub fn notification_sent(&mut self, id: i64, now: Millis) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE notifications SET state = 'sent', last_error = NULL, updated_at = ?2
                 WHERE id = ?1",
                params![id, now],
            )?;
            Ok(())
        })
    }

    /// Puts a notification back in the queue after a failed attempt, keeping the reason.
    pub fn retry_notification_later(
        &mut self,
        id: i64,
        error: &str,
        retry_at: Millis,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE notifications SET state = 'queued', last_error = ?2, next_attempt_at = ?3,
                     claimed_by = NULL, updated_at = ?4
                 WHERE id = ?1",
                params![id, error, retry_at, now],
            )?;
            Ok(())
        })
    }

    /// Gives up on a notification; the reason stays for `hark doctor`.
    pub fn fail_notification(&mut self, id: i64, error: &str, now: Millis) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE notifications SET state = 'failed', last_error = ?2, claimed_by = NULL,
                     updated_at = ?3
                 WHERE id = ?1",
                params![id, error, now],
            )?;
            Ok(())
        })
    }

    /// Returns to the queue what a process left being sent when it stopped (it is gone, or it
    /// claimed the notification before `claimed_before`).
    pub fn requeue_stale_notifications(
        &mut self,
        claimed_before: Millis,
        now: Millis,
    ) -> StoreResult<usize> {
        self.write(|tx| {
            let sending: Vec<(i64, Option<String>, Millis)> = tx
                .prepare_cached(
                    "SELECT id, claimed_by, updated_at FROM notifications WHERE state = 'sending'",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut requeued = 0;
            for (id, holder, updated_at) in sending {
                let abandoned = updated_at < claimed_before
                    || holder.is_some_and(|h| !super::lease::process_alive(&h));
                if abandoned {
                    requeued += tx.execute(
                        "UPDATE notifications SET state = 'queued', claimed_by = NULL,
                             updated_at = ?2
                         WHERE id = ?1",
                        params![id, now],
                    )?;
                }
            }
            Ok(requeued)
        })
    }

    /// Forgets notifications delivered before `before` (their events stay in the log).
    pub fn prune_sent_notifications(&mut self, before: Millis) -> StoreResult<usize> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM notifications WHERE state = 'sent' AND updated_at < ?1",
                [before],
            )?)
        })
    }

    /// When the channel's next queued notification is due, if any.
    pub fn next_notification_due(&self, channel: &str) -> StoreResult<Option<Millis>> {
        Ok(self.conn.query_row(
            "SELECT min(next_attempt_at) FROM notifications WHERE channel = ?1 AND state = 'queued'",
            [channel],
            |r| r.get(0),
        )?)
    }

    /// Every channel that has ever followed the events log here (the daemon's, too).
    pub fn notification_channels(&self) -> StoreResult<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT channel FROM notification_cursors ORDER BY channel")?;
        Ok(stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    pub fn channel_health(&self, channel: &str) -> StoreResult<ChannelHealth> {
        let mut health: ChannelHealth = self.conn.query_row(
            "SELECT count(*) FILTER (WHERE state IN ('queued', 'sending')),
                    count(*) FILTER (WHERE state = 'sent'),
                    count(*) FILTER (WHERE state = 'failed'),
                    max(updated_at) FILTER (WHERE state = 'sent')
             FROM notifications WHERE channel = ?1",
            [channel],
            |r| {
                Ok(ChannelHealth {
                    queued: r.get(0)?,
                    sent: r.get(1)?,
                    failed: r.get(2)?,
                    last_sent_at: r.get(3)?,
                    ..ChannelHealth::default()
                })
            },
        )?;
        let last_error: Option<(String, Millis)> = self
            .conn
            .query_row(
                "SELECT last_error, updated_at FROM notifications
                 WHERE channel = ?1 AND last_error IS NOT NULL
                 ORDER BY updated_at DESC, id DESC LIMIT 1",
                [channel],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        // An error older than the last success is history, not the state of the channel.
        if let Some((error, at)) = last_error
            && health.last_sent_at.is_none_or(|sent| at >= sent)
        {
            health.last_error = Some(error);
            health.last_error_at = Some(at);
        }
        Ok(health)
    }

    /// Help Scout Docs results cached for a query, with when they were fetched.
    pub fn cached_docs_search(&self, query: &str) -> StoreResult<Option<(String, Millis)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT articles, fetched_at FROM docs_search_cache WHERE query = ?1",
                [query],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn cache_docs_search(
        &mut self,
        query: &str,
        articles: &str,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO docs_search_cache (query, articles, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (query) DO UPDATE SET articles = ?2, fetched_at = ?3",
                params![query, articles, now],
            )?;
            Ok(())
        })
    }
}

fn set_cursor(tx: &Transaction<'_>, channel: &str, last_event_id: i64) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO notification_cursors (channel, last_event_id) VALUES (?1, ?2)
         ON CONFLICT (channel) DO UPDATE SET last_event_id = max(last_event_id, ?2)",
        params![channel, last_event_id],
    )?;
    Ok(())
}

fn notification_from(row: &Row<'_>) -> rusqlite::Result<Notification> {
    let payload: String = row.get(4)?;
    Ok(Notification {
        id: row.get(0)?,
        channel: row.get(1)?,
        event_id: row.get(2)?,
        event: row.get(3)?,
        // Written by this module as JSON; anything else reads as null rather than stopping
        // the queue.
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        attempts: row.get(5)?,
    })
}

/// Whether the channel announces this event: new conversations pass its tag, rule and age
/// filters; the other events always pass.
fn wanted(
    tx: &Transaction<'_>,
    subscription: &ChannelSubscription,
    event: &Event,
    now: Millis,
) -> StoreResult<bool> {
    if event.kind != "conversation_created" {
        return Ok(true);
    }
    if subscription.max_age.is_some_and(|age| now - event.at > age) {
        return Ok(false);
    }
    if subscription.tags.is_empty() && subscription.rules.is_empty() {
        return Ok(true);
    }
    let Some(conversation_id) = event.conversation_id else {
        return Ok(false);
    };
    let tags = serde_json::to_string(&subscription.tags).unwrap_or_else(|_| "[]".into());
    let actors: Vec<String> = subscription
        .rules
        .iter()
        .map(|rule| format!("rule:{rule}"))
        .collect();
    let actors = serde_json::to_string(&actors).unwrap_or_else(|_| "[]".into());
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM conversation_tags x JOIN tags t ON t.id = x.tag_id
                        WHERE x.conversation_id = ?1
                          AND t.name IN (SELECT value FROM json_each(?2)))
             OR EXISTS (SELECT 1 FROM events e
                        WHERE e.conversation_id = ?1
                          AND e.actor IN (SELECT value FROM json_each(?3)))",
        params![conversation_id, tags, actors],
        |r| r.get(0),
    )?)
}

/// The event as integrations see it: the conversation, the customer and the message it is
/// about (the one it names, or the customer's latest), with a link to the original post.
fn payload(tx: &Transaction<'_>, event: &Event) -> StoreResult<Value> {
    let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
    let mut payload = json!({
        "event": event_name(&event.kind),
        "event_id": event.id,
        "at": iso(event.at),
        "actor": event.actor,
    });
    match event.kind.as_str() {
        "assigned" => payload["assignee"] = data["assignee"].clone(),
        "sla_breached" => {
            payload["sla"] = json!({
                "target_minutes": data["target_minutes"],
                "waiting_since": data["waiting_since"].as_i64().map(iso),
            });
        }
        _ => {}
    }
    let Some(conversation_id) = event.conversation_id else {
        return Ok(payload);
    };
    let conversation = tx
        .query_row(
            "SELECT c.id, a.name, a.network, c.kind, c.status, c.priority, c.assignee, c.subject,
                    ct.handle, ct.name, ct.vip,
                    (SELECT json_group_array(t.name) FROM conversation_tags x
                     JOIN tags t ON t.id = x.tag_id WHERE x.conversation_id = c.id)
             FROM conversations c JOIN accounts a ON a.id = c.account_id
             LEFT JOIN contacts ct ON ct.id = c.contact_id
             WHERE c.id = ?1",
            [conversation_id],
            |r| {
                let network: String = r.get(2)?;
                let tags: String = r.get(11)?;
                Ok((
                    network.clone(),
                    json!({
                        "id": r.get::<_, i64>(0)?,
                        "account": r.get::<_, String>(1)?,
                        "network": network,
                        "kind": r.get::<_, String>(3)?,
                        "status": r.get::<_, String>(4)?,
                        "priority": r.get::<_, i64>(5)?,
                        "assignee": r.get::<_, Option<String>>(6)?,
                        "subject": r.get::<_, Option<String>>(7)?,
                        "tags": serde_json::from_str::<Value>(&tags).unwrap_or(json!([])),
                    }),
                    json!({
                        "handle": r.get::<_, Option<String>>(8)?,
                        "name": r.get::<_, Option<String>>(9)?,
                        "vip": r.get::<_, Option<bool>>(10)?.unwrap_or(false),
                    }),
                ))
            },
        )
        .optional()?;
    let Some((network, conversation, contact)) = conversation else {
        return Ok(payload);
    };
    payload["conversation"] = conversation;
    payload["contact"] = contact;
    let message_sql = "SELECT id, direction, author_name, agent, text, created_at, raw
                       FROM messages WHERE ";
    let message = match event.message_id {
        Some(id) => tx
            .query_row(&format!("{message_sql} id = ?1"), [id], message_json)
            .optional()?,
        None => tx
            .query_row(
                &format!(
                    "{message_sql} conversation_id = ?1 AND direction = 'in'
                     ORDER BY created_at DESC, id DESC LIMIT 1"
                ),
                [conversation_id],
                message_json,
            )
            .optional()?,
    };
    if let Some((mut message, raw)) = message {
        let kind = network.parse::<NetworkKind>().ok();
        let url = kind.and_then(|kind| crate::networks::post_url(kind, &raw));
        message["url"] = json!(url);
        payload["message"] = message;
    }
    Ok(payload)
}

fn message_json(row: &Row<'_>) -> rusqlite::Result<(Value, Value)> {
    let raw: Option<String> = row.get(6)?;
    let raw = raw
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null);
    Ok((
        json!({
            "id": row.get::<_, i64>(0)?,
            "direction": row.get::<_, String>(1)?,
            "author": row.get::<_, String>(2)?,
            "agent": row.get::<_, Option<String>>(3)?,
            "text": row.get::<_, String>(4)?,
            "created_at": iso(row.get(5)?),
        }),
        raw,
    ))
}

fn iso(at: Millis) -> String {
    from_millis(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
