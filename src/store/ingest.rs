//! Storing what a network returned: idempotent upserts of contacts, conversations and messages,
//! with the stream's cursor saved in the same transaction so that a crash can never store a
//! cursor past items that were not stored.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use super::conversations::set_status_in;
use super::events::{EventKind, SYNC_ACTOR, record_event};
use super::sync_state::save_cursor;
use super::triage::{assign_in, priority_in, snooze_in, tag_in};
use super::{Store, StoreResult};
use crate::model::{
    Direction, IncomingItem, Millis, NetworkKind, RemoteContact, Status, to_millis,
};
use crate::rules::{Hit, RuleAction, RuleSet, Subject};

/// What one page of fetched items changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub new_messages: usize,
    pub new_conversations: usize,
    /// Items already stored (the same remote item fetched again).
    pub duplicates: usize,
    /// Conversations that a new inbound message brought back to Open.
    pub reopened: Vec<i64>,
    /// Conversations that received a new inbound message.
    pub touched: Vec<i64>,
    /// The rules that matched, by conversation.
    pub rule_hits: Vec<(i64, Hit)>,
}

/// The longest snippet kept for the list; the full text stays in the message.
const SNIPPET_CHARS: usize = 200;

impl Store {
    /// Stores a page of items fetched from `stream` of an account and moves the stream's cursor
    /// to `cursor` (when given), all in one transaction.
    pub fn ingest(
        &mut self,
        account_id: i64,
        network: NetworkKind,
        stream: &str,
        items: &[IncomingItem],
        cursor: Option<&str>,
        now: Millis,
    ) -> StoreResult<IngestReport> {
        self.ingest_with_rules(
            account_id,
            network,
            stream,
            items,
            cursor,
            now,
            &RuleSet::default(),
        )
    }

    /// Like [`Store::ingest`], running `rules` on every new message from a customer, in the same
    /// transaction (a crash cannot leave a message stored but not triaged).
    #[allow(clippy::too_many_arguments)]
    pub fn ingest_with_rules(
        &mut self,
        account_id: i64,
        network: NetworkKind,
        stream: &str,
        items: &[IncomingItem],
        cursor: Option<&str>,
        now: Millis,
        rules: &RuleSet,
    ) -> StoreResult<IngestReport> {
        self.write(|tx| {
            let account: String = tx.query_row(
                "SELECT name FROM accounts WHERE id = ?1",
                [account_id],
                |r| r.get(0),
            )?;
            let context = IngestContext {
                account_id,
                account: &account,
                network,
                now,
                rules,
                contacts: std::cell::RefCell::new(std::collections::HashMap::new()),
            };
            let mut report = IngestReport::default();
            let mut stored = Vec::with_capacity(items.len());
            for item in items {
                if let Some(message_id) = ingest_item(tx, &context, item, &mut report)? {
                    stored.push(message_id);
                }
            }
            save_cursor(tx, account_id, stream, cursor, now)?;
            // Last, in one statement: see `index_for_search`.
            super::messages::index_for_search(tx, &stored)?;
            Ok(report)
        })
    }
}

/// What every item of one ingest shares.
struct IngestContext<'a> {
    account_id: i64,
    account: &'a str,
    network: NetworkKind,
    now: Millis,
    rules: &'a RuleSet,
    /// Contacts already stored by this ingest (remote id → profile, id, VIP): a page often
    /// holds many messages of one person, and an unchanged profile is written once.
    contacts: std::cell::RefCell<std::collections::HashMap<String, (RemoteContact, i64, bool)>>,
}

fn ingest_item(
    tx: &Transaction<'_>,
    context: &IngestContext<'_>,
    item: &IncomingItem,
    report: &mut IngestReport,
) -> StoreResult<Option<i64>> {
    let IngestContext {
        account_id, now, ..
    } = *context;
    let message = &item.message;
    let created_at = to_millis(message.created_at);
    let (customer_id, customer_vip) = contact_once(tx, context, &item.customer)?;
    let author_id = if message.author.remote_id == item.customer.remote_id {
        Some(customer_id)
    } else if message.direction == Direction::In {
        Some(contact_once(tx, context, &message.author)?.0)
    } else {
        None
    };

    let existing: Option<(i64, Status, i64, Option<i64>)> = tx
        .prepare_cached(
            "SELECT id, status, last_message_at, closed_at FROM conversations
             WHERE account_id = ?1 AND kind = ?2 AND root_remote_id = ?3",
        )?
        .query_row(params![account_id, item.kind, item.root_remote_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let conversation_id = match existing {
        Some((id, ..)) => id,
        None => {
            let id: i64 = tx
                .prepare_cached(
                    "INSERT INTO conversations
                         (account_id, kind, root_remote_id, contact_id, subject, last_message_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                )?
                .query_row(
                    params![
                        account_id,
                        item.kind,
                        item.root_remote_id,
                        customer_id,
                        item.subject,
                        created_at,
                        now
                    ],
                    |r| r.get(0),
                )?;
            report.new_conversations += 1;
            // Dated when the customer started it, as reports measure from there.
            record_event(
                tx,
                created_at,
                SYNC_ACTOR,
                EventKind::ConversationCreated,
                Some(id),
                None,
                &serde_json::json!({ "kind": item.kind }),
            )?;
            id
        }
    };

    let author_name = message
        .author
        .name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| message.author.handle.clone());
    let language = match message.direction {
        Direction::In if context.rules.uses_language() => {
            crate::rules::text::detect_language(&message.text)
        }
        _ => None,
    };
    // Only customers' messages are scored (the brand's own tone is not in question).
    let sentiment = match message.direction {
        Direction::In => crate::sentiment::of(&message.text),
        Direction::Out => None,
    };
    let inserted = tx
        .prepare_cached(
            "INSERT INTO messages (conversation_id, account_id, remote_id, parent_remote_id, direction,
                                   author_contact_id, author_name, text, raw, created_at, liked, language,
                                   sentiment)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (account_id, remote_id) DO NOTHING",
        )?
        .execute(params![
            conversation_id,
            account_id,
            message.remote_id,
            message.parent_remote_id,
            message.direction,
            author_id,
            author_name,
            message.text,
            message.raw.to_string(),
            created_at,
            message.liked,
            language.map(|l| l.code()),
            sentiment
        ])?;
    if inserted == 0 {
        report.duplicates += 1;
        return Ok(None);
    }
    let message_id = tx.last_insert_rowid();
    report.new_messages += 1;

    let snippet = snippet(&message.text);
    match message.direction {
        Direction::In => {
            // One statement for the list's columns and the customer's: each write of a
            // conversation row rewrites its index entries.
            tx.prepare_cached(
                "UPDATE conversations SET
                     snippet = CASE WHEN ?2 >= last_message_at OR message_count = 0 THEN ?3 ELSE snippet END,
                     last_message_at = max(last_message_at, ?2),
                     message_count = message_count + 1,
                     unread = 1,
                     sentiment = CASE WHEN ?2 >= coalesce(last_inbound_at, 0) THEN ?4 ELSE sentiment END,
                     last_inbound_at = max(coalesce(last_inbound_at, 0), ?2),
                     waiting_since = coalesce(waiting_since, ?2)
                 WHERE id = ?1",
            )?
            .execute(params![conversation_id, created_at, snippet, sentiment])?;
            record_event(
                tx,
                created_at,
                SYNC_ACTOR,
                EventKind::MessageReceived,
                Some(conversation_id),
                Some(message_id),
                &serde_json::json!({}),
            )?;
            report.touched.push(conversation_id);
            if let Some((_, status, last_message_at, closed_at)) = existing
                && wakes(status, created_at, last_message_at, closed_at)
            {
                tx.prepare_cached(
                    "UPDATE conversations SET status = 'open', closed_at = NULL, snoozed_until = NULL
                     WHERE id = ?1",
                )?
                .execute([conversation_id])?;
                record_event(
                    tx,
                    now,
                    SYNC_ACTOR,
                    EventKind::Reopened,
                    Some(conversation_id),
                    Some(message_id),
                    &serde_json::json!({ "reason": "new inbound message", "was": status }),
                )?;
                report.reopened.push(conversation_id);
            }
            triage_new_message(
                tx,
                context,
                conversation_id,
                customer_vip,
                &message.text,
                item.kind,
                (language, sentiment),
                report,
            )?;
        }
        Direction::Out => {
            // Our own message, written elsewhere (the network's app): it counts as a response.
            tx.prepare_cached(
                "UPDATE conversations SET
                     snippet = CASE WHEN ?2 >= last_message_at OR message_count = 0 THEN ?3 ELSE snippet END,
                     last_message_at = max(last_message_at, ?2),
                     message_count = message_count + 1,
                     first_response_at = coalesce(first_response_at, ?2),
                     waiting_since = CASE WHEN waiting_since <= ?2 THEN NULL ELSE waiting_since END
                 WHERE id = ?1",
            )?
            .execute(params![conversation_id, created_at, snippet])?;
        }
    }
    Ok(Some(message_id))
}

/// Ranks a VIP's conversation high, then runs the rules on a new customer message.
#[allow(clippy::too_many_arguments)]
fn triage_new_message(
    tx: &Transaction<'_>,
    context: &IngestContext<'_>,
    conversation_id: i64,
    vip: bool,
    text: &str,
    kind: crate::model::ConversationKind,
    (language, sentiment): (Option<whatlang::Lang>, Option<crate::model::Sentiment>),
    report: &mut IngestReport,
) -> StoreResult<()> {
    if vip {
        tx.execute(
            "UPDATE conversations SET priority = max(priority, 1) WHERE id = ?1",
            [conversation_id],
        )?;
    }
    if context.rules.is_empty() {
        return Ok(());
    }
    let subject = Subject {
        text,
        kind,
        network: context.network,
        account: context.account,
        language,
        sentiment,
        author_vip: vip,
    };
    for hit in context.rules.evaluate(&subject) {
        let actor = format!("rule:{}", hit.rule);
        apply_actions(tx, &[conversation_id], &hit.actions, &actor, context.now)?;
        report.rule_hits.push((conversation_id, hit));
    }
    Ok(())
}

/// Carries out rule actions on conversations, each change logged as done by the rule.
pub(super) fn apply_actions(
    tx: &Transaction<'_>,
    ids: &[i64],
    actions: &[RuleAction],
    actor: &str,
    now: Millis,
) -> StoreResult<()> {
    for action in actions {
        match action {
            RuleAction::Tag(tag) => tag_in(tx, ids, tag, actor, now)?,
            RuleAction::Assign(agent) => assign_in(tx, ids, Some(agent), actor, now)?,
            RuleAction::Unassign => assign_in(tx, ids, None, actor, now)?,
            RuleAction::Priority(level) => priority_in(tx, ids, *level, actor, now)?,
            RuleAction::Close => {
                for &id in ids {
                    set_status_in(tx, id, Status::Closed, actor, now)?;
                }
            }
            RuleAction::Snooze(duration) => {
                let until =
                    now.saturating_add(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX));
                snooze_in(tx, ids, until, actor, now)?;
            }
        }
    }
    Ok(())
}

/// Whether a new inbound message created at `created_at` brings a conversation back to Open:
/// a closed one when the message is newer than its closing (an old message found late by a
/// thread fetch does not reopen it), a snoozed one when the message is newer than what it had.
fn wakes(
    status: Status,
    created_at: Millis,
    last_message_at: Millis,
    closed_at: Option<Millis>,
) -> bool {
    match status {
        Status::Open => false,
        Status::Closed => created_at > closed_at.unwrap_or(Millis::MIN),
        Status::Snoozed => created_at > last_message_at,
    }
}

/// The contact's id and VIP flag, storing what the network says of them once per ingest.
fn contact_once(
    tx: &Transaction<'_>,
    context: &IngestContext<'_>,
    contact: &RemoteContact,
) -> StoreResult<(i64, bool)> {
    // The same profile again needs no write; a changed one is written (the last one wins).
    if let Some((seen, id, vip)) = context.contacts.borrow().get(&contact.remote_id)
        && seen == contact
    {
        return Ok((*id, *vip));
    }
    let (id, vip) = upsert_contact(tx, context.network, contact, context.now)?;
    context
        .contacts
        .borrow_mut()
        .insert(contact.remote_id.clone(), (contact.clone(), id, vip));
    Ok((id, vip))
}

fn upsert_contact(
    tx: &Transaction<'_>,
    network: NetworkKind,
    contact: &RemoteContact,
    now: Millis,
) -> StoreResult<(i64, bool)> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO contacts (network, remote_id, handle, name, avatar_url, bio, followers,
                                   profile_url, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (network, remote_id) DO UPDATE SET
                 handle = excluded.handle,
                 name = coalesce(excluded.name, contacts.name),
                 avatar_url = coalesce(excluded.avatar_url, contacts.avatar_url),
                 bio = coalesce(excluded.bio, contacts.bio),
                 followers = coalesce(excluded.followers, contacts.followers),
                 profile_url = coalesce(excluded.profile_url, contacts.profile_url),
                 updated_at = excluded.updated_at
             RETURNING id, vip",
        )?
        .query_row(
            params![
                network,
                contact.remote_id,
                contact.handle,
                contact.name,
                contact.avatar_url,
                contact.bio,
                contact.followers,
                contact.profile_url,
                now
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
}

/// The first line of a message, cut to a length the list can show.
pub(super) fn snippet(text: &str) -> String {
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

    #[test]
    fn only_newer_messages_wake_a_conversation() {
        assert!(!wakes(Status::Open, 10, 5, None));
        assert!(wakes(Status::Closed, 10, 5, Some(9)));
        assert!(!wakes(Status::Closed, 8, 5, Some(9)));
        assert!(wakes(Status::Snoozed, 10, 5, None));
        assert!(!wakes(Status::Snoozed, 4, 5, None));
    }
}
