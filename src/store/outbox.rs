//! The outbox: everything hark asks a network to do is written here first, in the same
//! transaction as its local effect, and delivered afterwards with retries. A reply is therefore
//! durable the moment it is queued, whatever happens to the process or the network.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::conversations::set_status_in;
use super::events::{EventKind, record_event};
use super::{Store, StoreError, StoreResult};
use crate::model::{ConversationKind, Delivery, Direction, Millis, OutboxAction, Status};

/// One outbox entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub account_id: i64,
    pub conversation_id: i64,
    pub message_id: Option<i64>,
    pub action: OutboxAction,
    pub target_remote_id: Option<String>,
    pub idempotency_key: String,
    pub state: Delivery,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub last_error: Option<String>,
    pub agent: String,
    pub created_at: Millis,
}

/// An entry claimed for delivery, with what the network needs to carry it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedAction {
    pub entry: OutboxRow,
    pub conversation_kind: ConversationKind,
    pub root_remote_id: String,
    /// The customer's id on the network (the recipient of a DM).
    pub customer_remote_id: Option<String>,
    /// When the customer last wrote (messaging windows count from it).
    pub last_inbound_at: Option<Millis>,
    /// The text of a reply.
    pub text: Option<String>,
}

macro_rules! outbox_select {
    () => {
        "SELECT id, account_id, conversation_id, message_id, action, target_remote_id,
                idempotency_key, state, attempts, next_attempt_at, last_error, agent, created_at
         FROM outbox "
    };
}

fn outbox_from(row: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: row.get(0)?,
        account_id: row.get(1)?,
        conversation_id: row.get(2)?,
        message_id: row.get(3)?,
        action: row.get(4)?,
        target_remote_id: row.get(5)?,
        idempotency_key: row.get(6)?,
        state: row.get(7)?,
        attempts: row.get(8)?,
        next_attempt_at: row.get(9)?,
        last_error: row.get(10)?,
        agent: row.get(11)?,
        created_at: row.get(12)?,
    })
}

/// The ids a queued reply was stored under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueuedReply {
    pub message_id: i64,
    pub outbox_id: i64,
}

impl Store {
    /// Stores a reply as an outbound message in state `queued` plus its outbox entry, and closes
    /// the conversation when asked, in one transaction.
    pub fn queue_reply(
        &mut self,
        conversation_id: i64,
        text: &str,
        agent: &str,
        close: bool,
        now: Millis,
    ) -> StoreResult<QueuedReply> {
        self.queue_reply_unless_answered(conversation_id, text, agent, close, None, now)
    }

    /// Like [`Store::queue_reply`], but refused with [`StoreError::TeammateReplied`] when a
    /// reply by someone else (a teammate, or the brand from another app) arrived after message
    /// `seen_up_to`, the newest the person had seen when they started writing.
    pub fn queue_reply_unless_answered(
        &mut self,
        conversation_id: i64,
        text: &str,
        agent: &str,
        close: bool,
        seen_up_to: Option<i64>,
        now: Millis,
    ) -> StoreResult<QueuedReply> {
        refuse_empty(text)?;
        let target = self
            .latest_inbound(conversation_id)?
            .and_then(|m| m.remote_id);
        self.write(|tx| {
            if let Some(seen) = seen_up_to {
                refuse_if_answered(tx, conversation_id, agent, seen)?;
            }
            queue_outbound(
                tx,
                Outbound {
                    conversation_id,
                    text,
                    agent,
                    target: target.as_deref(),
                    action: OutboxAction::Reply,
                    close,
                    now,
                },
            )
        })
    }

    /// Answers a public comment in its author's private inbox (Facebook and Instagram): stored
    /// like a reply, marked private, and refused when the comment already has a private reply
    /// (one per comment) or is older than `max_age`. `comment_id` None means the customer's
    /// latest comment.
    #[allow(clippy::too_many_arguments)]
    pub fn queue_private_reply(
        &mut self,
        conversation_id: i64,
        comment_id: Option<i64>,
        text: &str,
        agent: &str,
        close: bool,
        max_age: Millis,
        now: Millis,
    ) -> StoreResult<QueuedReply> {
        refuse_empty(text)?;
        self.write(|tx| {
            let comment = private_reply_target(tx, conversation_id, comment_id)?;
            if now - comment.created_at > max_age {
                let days = max_age / (24 * 60 * 60 * 1000);
                return Err(StoreError::Rejected(format!(
                    "the comment was written more than {days} days ago: a private reply is only \
                     possible within {days} days of it"
                )));
            }
            let earlier: Option<String> = tx
                .query_row(
                    "SELECT o.state FROM outbox o JOIN conversations c ON c.id = ?1
                     WHERE o.account_id = c.account_id AND o.action = 'private_reply'
                       AND o.target_remote_id = ?2 AND o.state != 'failed'",
                    params![conversation_id, comment.remote_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(state) = earlier {
                return Err(StoreError::Rejected(format!(
                    "that comment already has a private reply ({state}): a comment can be \
                     answered privately once"
                )));
            }
            let queued = queue_outbound(
                tx,
                Outbound {
                    conversation_id,
                    text,
                    agent,
                    target: Some(&comment.remote_id),
                    action: OutboxAction::PrivateReply,
                    close,
                    now,
                },
            )?;
            tx.execute(
                "UPDATE messages SET private = 1 WHERE id = ?1",
                [queued.message_id],
            )?;
            Ok(queued)
        })
    }

    /// Likes (or unlikes) a message: the flag changes at once and the network is told through the
    /// outbox. `message_id` None means the customer's latest message.
    pub fn queue_like(
        &mut self,
        conversation_id: i64,
        message_id: Option<i64>,
        like: bool,
        agent: &str,
        now: Millis,
    ) -> StoreResult<i64> {
        self.write(|tx| {
            // Chosen inside the write transaction, so that no other process can change the
            // thread between choosing the message and queueing the like.
            let chosen: Option<(i64, Option<String>)> = match message_id {
                Some(id) => tx
                    .query_row(
                        "SELECT id, remote_id FROM messages WHERE id = ?1 AND conversation_id = ?2",
                        params![id, conversation_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?,
                None => tx
                    .query_row(
                        "SELECT id, remote_id FROM messages
                         WHERE conversation_id = ?1 AND direction = 'in' AND remote_id IS NOT NULL
                         ORDER BY created_at DESC, id DESC LIMIT 1",
                        [conversation_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?,
            };
            let (message_id, remote_id) = chosen.ok_or_else(|| {
                StoreError::Rejected(format!(
                    "conversation {conversation_id} has no customer message to like"
                ))
            })?;
            let Some(remote_id) = remote_id else {
                return Err(StoreError::Rejected(
                    "that message has not reached the network yet, so it cannot be liked".into(),
                ));
            };
            let account_id: i64 = tx.query_row(
                "SELECT account_id FROM conversations WHERE id = ?1",
                [conversation_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE messages SET liked = ?2 WHERE id = ?1",
                params![message_id, like],
            )?;
            let action = if like {
                OutboxAction::Like
            } else {
                OutboxAction::Unlike
            };
            let outbox_id = insert_entry(
                tx,
                account_id,
                conversation_id,
                Some(message_id),
                action,
                Some(&remote_id),
                agent,
                now,
            )?;
            let kind = if like {
                EventKind::Liked
            } else {
                EventKind::Unliked
            };
            record_event(
                tx,
                now,
                agent,
                kind,
                Some(conversation_id),
                Some(message_id),
                &serde_json::json!({ "outbox_id": outbox_id }),
            )?;
            Ok(outbox_id)
        })
    }

    /// Takes the oldest due entry of an account and marks it `sending`, so that no other
    /// process delivers it at the same time.
    pub fn claim_due_action(
        &mut self,
        account_id: i64,
        now: Millis,
    ) -> StoreResult<Option<ClaimedAction>> {
        self.write(|tx| {
            let entry = tx
                .prepare_cached(concat!(
                    outbox_select!(),
                    "WHERE account_id = ?1 AND state = 'queued' AND next_attempt_at <= ?2
                     ORDER BY id LIMIT 1"
                ))?
                .query_row(params![account_id, now], outbox_from)
                .optional()?;
            let Some(mut entry) = entry else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?2,
                     claimed_by = ?3
                 WHERE id = ?1",
                params![entry.id, now, super::lease::this_process()],
            )?;
            entry.state = Delivery::Sending;
            entry.attempts += 1;
            let (conversation_kind, root_remote_id, customer_remote_id, last_inbound_at) = tx
                .query_row(
                    "SELECT c.kind, c.root_remote_id, ct.remote_id, c.last_inbound_at
                     FROM conversations c
                     LEFT JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = ?1",
                    [entry.conversation_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
            let mut text = None;
            if entry.action.sends_message()
                && let Some(message_id) = entry.message_id
            {
                tx.execute(
                    "UPDATE messages SET delivery = 'sending' WHERE id = ?1",
                    [message_id],
                )?;
                text = Some(tx.query_row(
                    "SELECT text FROM messages WHERE id = ?1",
                    [message_id],
                    |r| r.get(0),
                )?);
            }
            Ok(Some(ClaimedAction {
                entry,
                conversation_kind,
                root_remote_id,
                customer_remote_id,
                last_inbound_at,
                text,
            }))
        })
    }

    /// Records a delivered entry. For a reply, `remote_id` is the id the network gave it.
    pub fn complete_action(
        &mut self,
        outbox_id: i64,
        remote_id: Option<&str>,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| {
            let entry = entry_in(tx, outbox_id)?;
            tx.execute(
                "UPDATE outbox SET state = 'sent', last_error = NULL, updated_at = ?2 WHERE id = ?1",
                params![outbox_id, now],
            )?;
            if !entry.action.sends_message() {
                return Ok(());
            }
            let Some(message_id) = entry.message_id else {
                return Ok(());
            };
            if let Some(remote_id) = remote_id {
                // A sync may already have fetched our reply back from the network as a message
                // of its own; keep ours (it knows the agent) and drop that copy.
                let echo: Option<(i64, i64)> = tx
                    .query_row(
                        // Only a plain copy of ours: an outbound message no outbox entry
                        // stands behind (another reply that happens to share the id stays).
                        "SELECT m.id, m.conversation_id FROM messages m
                         WHERE m.account_id = ?1 AND m.remote_id = ?2 AND m.id != ?3
                           AND m.direction = 'out'
                           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)",
                        params![entry.account_id, remote_id, message_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((echo_id, echo_conversation)) = echo {
                    tx.execute("DELETE FROM messages WHERE id = ?1", [echo_id])?;
                    tx.execute(
                        "UPDATE conversations SET message_count = message_count - 1 WHERE id = ?1",
                        [echo_conversation],
                    )?;
                }
            }
            tx.execute(
                "UPDATE messages SET delivery = 'sent', remote_id = coalesce(?2, remote_id)
                 WHERE id = ?1",
                params![message_id, remote_id],
            )?;
            tx.execute(
                "UPDATE conversations SET first_response_at = coalesce(first_response_at, ?2)
                 WHERE id = ?1",
                params![entry.conversation_id, now],
            )?;
            record_event(
                tx,
                now,
                &entry.agent,
                EventKind::ReplySent,
                Some(entry.conversation_id),
                Some(message_id),
                &serde_json::json!({ "remote_id": remote_id, "attempts": entry.attempts }),
            )?;
            Ok(())
        })
    }

    /// Puts a failed attempt back in the queue, to be tried again at `retry_at`.
    pub fn retry_action_later(
        &mut self,
        outbox_id: i64,
        error: &str,
        retry_at: Millis,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| {
            let entry = entry_in(tx, outbox_id)?;
            tx.execute(
                "UPDATE outbox SET state = 'queued', last_error = ?2, next_attempt_at = ?3,
                     updated_at = ?4
                 WHERE id = ?1",
                params![outbox_id, error, retry_at, now],
            )?;
            if let (true, Some(message_id)) = (entry.action.sends_message(), entry.message_id) {
                tx.execute(
                    "UPDATE messages SET delivery = 'queued' WHERE id = ?1",
                    [message_id],
                )?;
            }
            Ok(())
        })
    }

    /// Gives up on an entry: the reason stays visible; a like that never reached the network is
    /// taken back locally.
    pub fn fail_action(&mut self, outbox_id: i64, error: &str, now: Millis) -> StoreResult<()> {
        self.write(|tx| {
            let entry = entry_in(tx, outbox_id)?;
            tx.execute(
                "UPDATE outbox SET state = 'failed', last_error = ?2, updated_at = ?3 WHERE id = ?1",
                params![outbox_id, error, now],
            )?;
            let kind = match (entry.action, entry.message_id) {
                (OutboxAction::Reply | OutboxAction::PrivateReply, Some(message_id)) => {
                    tx.execute(
                        "UPDATE messages SET delivery = 'failed' WHERE id = ?1",
                        [message_id],
                    )?;
                    EventKind::ReplyFailed
                }
                (OutboxAction::Hide | OutboxAction::Unhide, Some(message_id)) => {
                    tx.execute(
                        "UPDATE messages SET hidden = ?2 WHERE id = ?1",
                        params![message_id, entry.action == OutboxAction::Unhide],
                    )?;
                    EventKind::ActionFailed
                }
                (action, Some(message_id)) => {
                    tx.execute(
                        "UPDATE messages SET liked = ?2 WHERE id = ?1",
                        params![message_id, action == OutboxAction::Unlike],
                    )?;
                    EventKind::ActionFailed
                }
                (_, None) => EventKind::ActionFailed,
            };
            record_event(
                tx,
                now,
                &entry.agent,
                kind,
                Some(entry.conversation_id),
                entry.message_id,
                &serde_json::json!({ "outbox_id": outbox_id, "error": error }),
            )?;
            Ok(())
        })
    }

    /// Returns to the queue the entries left `sending` by a process that stopped mid-delivery:
    /// its process is gone, or it claimed them before `claimed_before`. They are sent again
    /// with the same idempotency key, so a network that honours it posts them once.
    pub fn requeue_stale_sending(
        &mut self,
        claimed_before: Millis,
        now: Millis,
    ) -> StoreResult<usize> {
        self.write(|tx| {
            let sending: Vec<(i64, Option<String>, Millis)> = tx
                .prepare_cached("SELECT id, claimed_by, updated_at FROM outbox WHERE state = 'sending'")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut requeued = 0;
            for (id, claimed_by, updated_at) in sending {
                let abandoned = updated_at < claimed_before
                    || claimed_by.as_deref().is_some_and(|holder| !super::lease::process_alive(holder));
                if !abandoned {
                    continue;
                }
                tx.execute(
                    "UPDATE outbox SET state = 'queued', updated_at = ?2, claimed_by = NULL,
                         last_error = 'delivery was interrupted; trying again with the same idempotency key'
                     WHERE id = ?1",
                    params![id, now],
                )?;
                tx.execute(
                    "UPDATE messages SET delivery = 'queued' WHERE id = (SELECT message_id FROM outbox WHERE id = ?1)",
                    [id],
                )?;
                requeued += 1;
            }
            Ok(requeued)
        })
    }

    pub fn outbox_entry(&self, outbox_id: i64) -> StoreResult<OutboxRow> {
        let mut stmt = self
            .conn
            .prepare_cached(concat!(outbox_select!(), "WHERE id = ?1"))?;
        stmt.query_row([outbox_id], outbox_from)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "outbox entry",
                id: outbox_id.to_string(),
            })
    }

    /// How many entries wait (queued or being sent) and how many failed for good.
    pub fn outbox_backlog(&self) -> StoreResult<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT count(*) FILTER (WHERE state IN ('queued', 'sending')),
                    count(*) FILTER (WHERE state = 'failed')
             FROM outbox",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// When the next queued entry of an account is due, if any.
    pub fn next_action_due(&self, account_id: i64) -> StoreResult<Option<Millis>> {
        Ok(self.conn.query_row(
            "SELECT min(next_attempt_at) FROM outbox WHERE account_id = ?1 AND state = 'queued'",
            [account_id],
            |r| r.get(0),
        )?)
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn insert_entry(
    tx: &Transaction<'_>,
    account_id: i64,
    conversation_id: i64,
    message_id: Option<i64>,
    action: OutboxAction,
    target_remote_id: Option<&str>,
    agent: &str,
    now: Millis,
) -> StoreResult<i64> {
    let key = uuid::Uuid::new_v4().to_string();
    Ok(tx.query_row(
        "INSERT INTO outbox (account_id, conversation_id, message_id, action, target_remote_id,
                             idempotency_key, next_attempt_at, agent, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?7) RETURNING id",
        params![
            account_id,
            conversation_id,
            message_id,
            action,
            target_remote_id,
            key,
            now,
            agent
        ],
        |r| r.get(0),
    )?)
}

fn refuse_empty(text: &str) -> StoreResult<()> {
    if text.trim().is_empty() {
        return Err(StoreError::Rejected(
            "refusing to send an empty reply".into(),
        ));
    }
    Ok(())
}

/// Checked in the transaction that queues the reply, so that two teammates sending at once
/// cannot both pass.
fn refuse_if_answered(
    tx: &Transaction<'_>,
    conversation_id: i64,
    agent: &str,
    seen_up_to: i64,
) -> StoreResult<()> {
    let answered: Option<(String, String)> = tx
        .query_row(
            "SELECT coalesce(agent, author_name), text FROM messages
             WHERE conversation_id = ?1 AND id > ?2 AND direction = 'out'
               AND (agent IS NULL OR agent != ?3)
             ORDER BY id DESC LIMIT 1",
            params![conversation_id, seen_up_to, agent],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match answered {
        Some((who, text)) => {
            let latest_message_id = tx.query_row(
                "SELECT max(id) FROM messages WHERE conversation_id = ?1",
                [conversation_id],
                |r| r.get(0),
            )?;
            Err(StoreError::TeammateReplied {
                who,
                text,
                latest_message_id,
            })
        }
        None => Ok(()),
    }
}

/// One of our messages about to be queued.
struct Outbound<'a> {
    conversation_id: i64,
    text: &'a str,
    agent: &'a str,
    /// The customer's message it answers.
    target: Option<&'a str>,
    action: OutboxAction,
    close: bool,
    now: Millis,
}

/// Stores an outbound message in state `queued` with its outbox entry (and closes the
/// conversation when asked).
fn queue_outbound(tx: &Transaction<'_>, out: Outbound<'_>) -> StoreResult<QueuedReply> {
    let Outbound {
        conversation_id,
        text,
        agent,
        target,
        action,
        close,
        now,
    } = out;
    let (account_id, author_name): (i64, String) = tx
        .query_row(
            "SELECT c.account_id, coalesce(a.display_name, a.handle)
             FROM conversations c JOIN accounts a ON a.id = c.account_id WHERE c.id = ?1",
            [conversation_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "conversation",
            id: conversation_id.to_string(),
        })?;
    let message_id: i64 = tx.query_row(
        "INSERT INTO messages (conversation_id, account_id, parent_remote_id, direction,
                               author_name, agent, text, created_at, delivery)
         VALUES (?1, ?2, ?3, 'out', ?4, ?5, ?6, ?7, 'queued') RETURNING id",
        params![
            conversation_id,
            account_id,
            target,
            author_name,
            agent,
            text,
            now
        ],
        |r| r.get(0),
    )?;
    super::messages::index_for_search(tx, &[message_id])?;
    tx.execute(
        "UPDATE conversations SET message_count = message_count + 1,
             last_message_at = max(last_message_at, ?2), snippet = ?3, unread = 0,
             waiting_since = NULL
         WHERE id = ?1",
        params![conversation_id, now, super::ingest::snippet(text)],
    )?;
    tx.execute(
        "DELETE FROM drafts WHERE agent = ?1 AND conversation_id = ?2",
        params![agent, conversation_id],
    )?;
    let outbox_id = insert_entry(
        tx,
        account_id,
        conversation_id,
        Some(message_id),
        action,
        target,
        agent,
        now,
    )?;
    record_event(
        tx,
        now,
        agent,
        EventKind::ReplyQueued,
        Some(conversation_id),
        Some(message_id),
        &serde_json::json!({ "outbox_id": outbox_id, "private": action == OutboxAction::PrivateReply }),
    )?;
    if close {
        set_status_in(tx, conversation_id, Status::Closed, agent, now)?;
    }
    Ok(QueuedReply {
        message_id,
        outbox_id,
    })
}

/// The comment a private reply answers.
struct CommentTarget {
    remote_id: String,
    created_at: Millis,
}

fn private_reply_target(
    tx: &Transaction<'_>,
    conversation_id: i64,
    comment_id: Option<i64>,
) -> StoreResult<CommentTarget> {
    let kind: ConversationKind = tx
        .query_row(
            "SELECT kind FROM conversations WHERE id = ?1",
            [conversation_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "conversation",
            id: conversation_id.to_string(),
        })?;
    if !matches!(
        kind,
        ConversationKind::Comment | ConversationKind::AdComment
    ) {
        return Err(StoreError::Rejected(format!(
            "a private reply answers a comment, and conversation {conversation_id} is a {}",
            kind.as_str()
        )));
    }
    let found: Option<(Direction, Option<String>, Millis)> = match comment_id {
        Some(id) => tx
            .query_row(
                "SELECT direction, remote_id, created_at FROM messages
                 WHERE id = ?1 AND conversation_id = ?2",
                params![id, conversation_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?,
        None => tx
            .query_row(
                "SELECT direction, remote_id, created_at FROM messages
                 WHERE conversation_id = ?1 AND direction = 'in' AND remote_id IS NOT NULL
                 ORDER BY created_at DESC, id DESC LIMIT 1",
                [conversation_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?,
    };
    match found {
        Some((Direction::In, Some(remote_id), created_at)) => Ok(CommentTarget {
            remote_id,
            created_at,
        }),
        Some(_) => Err(StoreError::Rejected(
            "a private reply answers a customer's comment, not one of ours".into(),
        )),
        None => Err(StoreError::Rejected(format!(
            "conversation {conversation_id} has no customer comment to answer privately"
        ))),
    }
}

fn entry_in(tx: &Transaction<'_>, outbox_id: i64) -> StoreResult<OutboxRow> {
    tx.prepare_cached(concat!(outbox_select!(), "WHERE id = ?1"))?
        .query_row([outbox_id], outbox_from)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "outbox entry",
            id: outbox_id.to_string(),
        })
}

impl Store {
    /// Hides (or shows again) a customer's reply under the brand's post: the flag changes at
    /// once and the network is told through the outbox.
    pub fn queue_hide(
        &mut self,
        message_id: i64,
        hide: bool,
        agent: &str,
        now: Millis,
    ) -> StoreResult<i64> {
        let message = self
            .message(message_id)?
            .ok_or_else(|| StoreError::NotFound {
                what: "message",
                id: message_id.to_string(),
            })?;
        let remote_id = message.remote_id.clone().ok_or_else(|| {
            StoreError::Rejected("that message has not reached the network".into())
        })?;
        self.write(|tx| {
            let account_id: i64 = tx.query_row(
                "SELECT account_id FROM messages WHERE id = ?1",
                [message_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE messages SET hidden = ?2 WHERE id = ?1",
                params![message_id, hide],
            )?;
            let action = if hide {
                OutboxAction::Hide
            } else {
                OutboxAction::Unhide
            };
            insert_entry(
                tx,
                account_id,
                message.conversation_id,
                Some(message_id),
                action,
                Some(&remote_id),
                agent,
                now,
            )
        })
    }

    /// Puts a failed reply back in the queue, to be tried again at once (with the same key).
    pub fn retry_failed(&mut self, message_id: i64, actor: &str, now: Millis) -> StoreResult<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?2, updated_at = ?2,
                     last_error = NULL, claimed_by = NULL
                 WHERE message_id = ?1 AND state = 'failed'",
                params![message_id, now],
            )?;
            if changed == 0 {
                return Err(StoreError::Rejected("only a failed reply can be sent again".into()));
            }
            tx.execute("UPDATE messages SET delivery = 'queued' WHERE id = ?1", [message_id])?;
            let conversation: i64 = tx.query_row("SELECT conversation_id FROM messages WHERE id = ?1", [message_id], |r| r.get(0))?;
            record_event(tx, now, actor, EventKind::ReplyQueued, Some(conversation), Some(message_id), &serde_json::json!({ "retry": true }))?;
            Ok(())
        })
    }

    /// Takes a failed reply back to be edited: it leaves the thread (its failure stays in the
    /// events log) and its text is answered, for the composer.
    pub fn take_back_failed(&mut self, message_id: i64) -> StoreResult<String> {
        self.write(|tx| {
            let found: Option<(String, i64)> = tx
                .query_row(
                    "SELECT m.text, m.conversation_id FROM messages m JOIN outbox o ON o.message_id = m.id
                     WHERE m.id = ?1 AND o.state = 'failed'",
                    [message_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (text, conversation) =
                found.ok_or_else(|| StoreError::Rejected("only a failed reply can be taken back to edit".into()))?;
            tx.execute("DELETE FROM outbox WHERE message_id = ?1", [message_id])?;
            tx.execute("DELETE FROM messages WHERE id = ?1", [message_id])?;
            tx.execute(
                "UPDATE conversations SET message_count = message_count - 1 WHERE id = ?1",
                [conversation],
            )?;
            Ok(text)
        })
    }
}
