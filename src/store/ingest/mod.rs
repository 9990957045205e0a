//! Storing what a network returned: idempotent upserts of contacts, conversations and messages,
//! with the stream's cursor saved in the same transaction so that a crash can never store a
//! cursor past items that were not stored.

mod list_columns;
mod prepare;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use super::conversations::set_status_in;
use super::events::{EventKind, SYNC_ACTOR, record_event};
use super::sync_state::save_cursor;
use super::triage::{assign_in, priority_in, snooze_in, tag_in};
use super::{Store, StoreResult};
use crate::model::{
    ConversationKind, Direction, IncomingItem, Millis, NetworkKind, RemoteContact, Status,
};
use crate::rules::{Hit, RuleAction, RuleSet, Subject};
use list_columns::{COLUMNS, ListColumns};
pub(super) use prepare::snippet;
pub use prepare::{PreparedItem, prepare};

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

/// Where a page of items came from, and when it is stored.
#[derive(Debug, Clone, Copy)]
pub struct PageSource<'a> {
    pub account_id: i64,
    pub network: NetworkKind,
    pub stream: &'a str,
    /// The stream's cursor to save with the page (None keeps the stored one).
    pub cursor: Option<&'a str>,
    pub now: Millis,
}

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
        let source = PageSource {
            account_id,
            network,
            stream,
            cursor,
            now,
        };
        self.ingest_prepared(&source, &prepare(items.to_vec(), rules), rules)
    }

    /// Stores items made ready by [`prepare`] with the same `rules`, as
    /// [`Store::ingest_with_rules`] does.
    pub fn ingest_prepared(
        &mut self,
        source: &PageSource<'_>,
        items: &[PreparedItem],
        rules: &RuleSet,
    ) -> StoreResult<IngestReport> {
        Ok(self
            .ingest_pages(&[(*source, items)], rules)?
            .pop()
            .unwrap_or_default())
    }

    /// Stores several pages of one stream, in order, in one transaction (each page's cursor
    /// saved after its items); answers a report per page. One commit for several pages writes
    /// the pages of the database and of the search index they share once, not once a page.
    pub fn ingest_pages(
        &mut self,
        pages: &[(PageSource<'_>, &[PreparedItem])],
        rules: &RuleSet,
    ) -> StoreResult<Vec<IngestReport>> {
        let Some((first, _)) = pages.first() else {
            return Ok(Vec::new());
        };
        let mut pages = pages.iter();
        self.ingest_pages_from(first.account_id, rules, |open| match pages.next() {
            Some((source, items)) => open.store_page(source, items).map(|()| true),
            None => Ok(false),
        })
    }

    /// Like [`Store::ingest_pages`] for pages that are not all at hand yet: `feed` is called
    /// until it answers false, storing a page through [`OpenIngest::store_page`] each time it
    /// has one; all of them are committed together when it is done. Pages of one account.
    pub fn ingest_pages_from(
        &mut self,
        account_id: i64,
        rules: &RuleSet,
        mut feed: impl FnMut(&mut OpenIngest<'_>) -> StoreResult<bool>,
    ) -> StoreResult<Vec<IngestReport>> {
        self.write(|tx| {
            let account: String = tx.query_row(
                "SELECT name FROM accounts WHERE id = ?1",
                [account_id],
                |r| r.get(0),
            )?;
            let mut open = OpenIngest {
                writer: PageWriter {
                    tx,
                    account: &account,
                    rules,
                    contacts: HashMap::new(),
                    conversations: HashMap::new(),
                    report: IngestReport::default(),
                },
                reports: Vec::new(),
                stored: Vec::new(),
            };
            while feed(&mut open)? {}
            let OpenIngest {
                mut writer,
                reports,
                stored,
            } = open;
            for columns in writer.conversations.values_mut() {
                columns.write(tx)?;
            }
            // Last, in one statement: see `index_for_search`.
            super::messages::index_for_search(tx, &stored)?;
            Ok(reports)
        })
    }
}

/// Pages of one account being stored in one transaction, committed once the feed of
/// [`Store::ingest_pages_from`] is done.
pub struct OpenIngest<'a> {
    writer: PageWriter<'a>,
    /// A report per page stored, in order.
    reports: Vec<IngestReport>,
    /// The new messages, indexed for search at the end.
    stored: Vec<i64>,
}

impl OpenIngest<'_> {
    /// Stores a page's items, then its cursor.
    pub fn store_page(
        &mut self,
        source: &PageSource<'_>,
        items: &[PreparedItem],
    ) -> StoreResult<()> {
        let writer = &mut self.writer;
        for (at, item) in items.iter().enumerate() {
            let later = items.get(at + 1..).unwrap_or_default();
            if let Some(message_id) = writer.item(source, item, later)? {
                self.stored.push(message_id);
            }
        }
        save_cursor(
            writer.tx,
            source.account_id,
            source.stream,
            source.cursor,
            source.now,
        )?;
        self.reports.push(std::mem::take(&mut writer.report));
        Ok(())
    }

    /// Pages stored so far.
    pub fn pages(&self) -> usize {
        self.reports.len()
    }
}

/// Pages being written, one after another, in one transaction.
struct PageWriter<'a> {
    tx: &'a Transaction<'a>,
    account: &'a str,
    rules: &'a RuleSet,
    /// Contacts already stored by these pages (remote id → profile, id, VIP): a page often
    /// holds many messages of one person, and an unchanged profile is written once.
    contacts: HashMap<String, (RemoteContact, i64, bool)>,
    /// The conversations these pages touched, their list columns written at the end.
    conversations: HashMap<(ConversationKind, String), ListColumns>,
    /// What the page being written changed.
    report: IngestReport,
}

impl PageWriter<'_> {
    /// Stores one item of `page`, `later` the rest of the page's items; answers the new
    /// message's id (None when it was stored already).
    fn item(
        &mut self,
        page: &PageSource<'_>,
        prepared: &PreparedItem,
        later: &[PreparedItem],
    ) -> StoreResult<Option<i64>> {
        let tx = self.tx;
        let item = &prepared.item;
        let message = &item.message;
        let created_at = prepared.created_at;
        let (customer_id, customer_vip) = self.contact(page, &item.customer)?;
        let author_id = if message.author.remote_id == item.customer.remote_id {
            Some(customer_id)
        } else if message.direction == Direction::In {
            Some(self.contact(page, &message.author)?.0)
        } else {
            None
        };
        let key = (item.kind, item.root_remote_id.clone());
        let columns = match self.conversations.entry(key) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(unknown) => {
                let columns = match find_conversation(tx, page.account_id, item)? {
                    Some(columns) => columns,
                    // Stored before, filed under another thread: it stays there, and no empty
                    // conversation is listed for it.
                    None if message_stored(tx, page.account_id, &message.remote_id)? => {
                        self.report.duplicates += 1;
                        return Ok(None);
                    }
                    None => {
                        self.report.new_conversations += 1;
                        // Inserted with the time its newest message on this page will give it,
                        // so that writing its list columns leaves the list indexes alone.
                        let newest = later
                            .iter()
                            .filter(|other| {
                                other.item.kind == item.kind
                                    && other.item.root_remote_id == item.root_remote_id
                            })
                            .fold(created_at, |newest, other| newest.max(other.created_at));
                        create_conversation(tx, page, item, customer_id, created_at, newest)?
                    }
                };
                unknown.insert(columns)
            }
        };
        let conversation_id = columns.id;

        let inserted = tx
            .prepare_cached(
                "INSERT INTO messages (conversation_id, account_id, remote_id, parent_remote_id, direction,
                                       author_contact_id, author_name, text, raw, created_at, liked, language,
                                       sentiment, hidden)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, coalesce(?14, 0))
                 ON CONFLICT (account_id, remote_id) DO NOTHING",
            )?
            .execute(params![
                conversation_id,
                page.account_id,
                message.remote_id,
                message.parent_remote_id,
                message.direction,
                author_id,
                prepared.author_name,
                message.text,
                message.raw.as_str(),
                created_at,
                message.liked,
                prepared.language.map(|l| l.code()),
                prepared.sentiment,
                message.hidden
            ])?;
        if inserted == 0 {
            self.report.duplicates += 1;
            if let Some(hidden) = message.hidden {
                follow_hidden(tx, page, &message.remote_id, hidden)?;
            }
            return Ok(None);
        }
        let message_id = tx.last_insert_rowid();
        self.report.new_messages += 1;

        let wakes = message.direction == Direction::In
            && wakes(
                columns.status,
                created_at,
                columns.last_message_at,
                columns.closed_at,
            );
        columns.add_message(
            message.direction,
            created_at,
            &prepared.snippet,
            prepared.sentiment,
        );
        if message.direction == Direction::Out {
            // Our own message, written elsewhere (the network's app): it counts as a response.
            return Ok(Some(message_id));
        }
        // A customer's message is not logged as an event: the message row says it all, and
        // reports read customers' messages from the messages table.
        self.report.touched.push(conversation_id);
        if wakes {
            let was = columns.status;
            tx.prepare_cached(
                "UPDATE conversations SET status = 'open', closed_at = NULL, snoozed_until = NULL
                 WHERE id = ?1",
            )?
            .execute([conversation_id])?;
            columns.status = Status::Open;
            columns.closed_at = None;
            record_event(
                tx,
                page.now,
                SYNC_ACTOR,
                EventKind::Reopened,
                Some(conversation_id),
                Some(message_id),
                &serde_json::json!({ "reason": "new inbound message", "was": was }),
            )?;
            self.report.reopened.push(conversation_id);
        }
        self.triage(page, prepared, customer_vip)?;
        Ok(Some(message_id))
    }

    /// Ranks a VIP's conversation high, then runs the rules on a new customer message.
    fn triage(
        &mut self,
        page: &PageSource<'_>,
        prepared: &PreparedItem,
        vip: bool,
    ) -> StoreResult<()> {
        let item = &prepared.item;
        let key = (item.kind, item.root_remote_id.clone());
        let Some(columns) = self.conversations.get_mut(&key) else {
            return Ok(());
        };
        let conversation_id = columns.id;
        if vip {
            self.tx.execute(
                "UPDATE conversations SET priority = max(priority, 1) WHERE id = ?1",
                [conversation_id],
            )?;
        }
        if self.rules.is_empty() {
            return Ok(());
        }
        let subject = Subject {
            text: &item.message.text,
            kind: item.kind,
            network: page.network,
            account: self.account,
            language: prepared.language,
            sentiment: prepared.sentiment,
            author_vip: vip,
        };
        let hits = self.rules.evaluate(&subject);
        if hits.is_empty() {
            return Ok(());
        }
        // Actions may close, snooze or reopen the conversation: they see its row up to date,
        // and the next message of the page reads it again.
        columns.write(self.tx)?;
        self.conversations.remove(&key);
        for hit in hits {
            let actor = format!("rule:{}", hit.rule);
            apply_actions(self.tx, &[conversation_id], &hit.actions, &actor, page.now)?;
            self.report.rule_hits.push((conversation_id, hit));
        }
        Ok(())
    }

    /// The contact's id and VIP flag, storing what the network says of them once per page.
    fn contact(
        &mut self,
        page: &PageSource<'_>,
        contact: &RemoteContact,
    ) -> StoreResult<(i64, bool)> {
        // The same profile again needs no write; a changed one is written (the last one wins).
        if let Some((seen, id, vip)) = self.contacts.get(&contact.remote_id)
            && seen == contact
        {
            return Ok((*id, *vip));
        }
        let (id, vip) = upsert_contact(self.tx, page.network, contact, page.now)?;
        self.contacts
            .insert(contact.remote_id.clone(), (contact.clone(), id, vip));
        Ok((id, vip))
    }
}

fn find_conversation(
    tx: &Transaction<'_>,
    account_id: i64,
    item: &IncomingItem,
) -> StoreResult<Option<ListColumns>> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM conversations
             WHERE account_id = ?1 AND kind = ?2 AND root_remote_id = ?3"
        ))?
        .query_row(
            params![account_id, item.kind, item.root_remote_id],
            ListColumns::from_row,
        )
        .optional()?)
}

/// A hide or unhide done here this recently may not show in what the network answers yet (a
/// Bluesky AppView indexes the thread gate after the write).
const HIDE_SETTLES_MILLIS: Millis = 10 * 60 * 1000;

/// Takes the network's word on whether a stored message is hidden (hidden or shown in its own
/// app, or by its moderation), unless a hide or unhide done here is still on its way there or
/// reached it less than `HIDE_SETTLES_MILLIS` ago.
fn follow_hidden(
    tx: &Transaction<'_>,
    page: &PageSource<'_>,
    remote_id: &str,
    hidden: bool,
) -> StoreResult<()> {
    tx.prepare_cached(
        "UPDATE messages SET hidden = ?3
         WHERE account_id = ?1 AND remote_id = ?2 AND hidden != ?3
           AND NOT EXISTS (SELECT 1 FROM outbox o
                           WHERE o.account_id = ?1 AND o.action IN ('hide', 'unhide')
                             AND o.target_remote_id = ?2
                             AND (o.state IN ('queued', 'sending') OR o.updated_at > ?4))",
    )?
    .execute(params![
        page.account_id,
        remote_id,
        hidden,
        page.now - HIDE_SETTLES_MILLIS
    ])?;
    Ok(())
}

fn message_stored(tx: &Transaction<'_>, account_id: i64, remote_id: &str) -> StoreResult<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM messages WHERE account_id = ?1 AND remote_id = ?2")?
        .exists(params![account_id, remote_id])?)
}

/// Inserts the conversation `item` starts (its first message created at `created_at`) with
/// `last_message_at` as its time until its list columns are written.
fn create_conversation(
    tx: &Transaction<'_>,
    source: &PageSource<'_>,
    item: &IncomingItem,
    customer_id: i64,
    created_at: Millis,
    last_message_at: Millis,
) -> StoreResult<ListColumns> {
    // No RETURNING: SQLite answers it through a temporary table of its own, which cost more
    // than the insert; the new row's list columns are its defaults.
    tx.prepare_cached(
        "INSERT INTO conversations
             (account_id, kind, root_remote_id, contact_id, subject, last_message_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        source.account_id,
        item.kind,
        item.root_remote_id,
        customer_id,
        item.subject,
        last_message_at,
        source.now
    ])?;
    let columns =
        ListColumns::new_conversation(tx.last_insert_rowid(), created_at, last_message_at);
    // Dated when the customer started it, as reports measure from there.
    record_event(
        tx,
        created_at,
        SYNC_ACTOR,
        EventKind::ConversationCreated,
        Some(columns.id),
        None,
        &serde_json::json!({ "kind": item.kind }),
    )?;
    Ok(columns)
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

/// Stores what the network says of a person: a new contact, or the changes to a known one
/// (fields the network left out keep what is stored). A profile that did not change is not
/// written again. Answers the contact's id and VIP flag.
fn upsert_contact(
    tx: &Transaction<'_>,
    network: NetworkKind,
    contact: &RemoteContact,
    now: Millis,
) -> StoreResult<(i64, bool)> {
    let known: Option<(i64, bool)> = tx
        .prepare_cached("SELECT id, vip FROM contacts WHERE network = ?1 AND remote_id = ?2")?
        .query_row(params![network, contact.remote_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let profile = params![
        network,
        contact.remote_id,
        contact.handle,
        contact.name,
        contact.avatar_url,
        contact.bio,
        contact.followers,
        contact.profile_url,
        now
    ];
    match known {
        Some((id, vip)) => {
            // No RETURNING and no upsert: SQLite answers RETURNING through a temporary table,
            // and an upsert rewrites the row (a page of the log) even when nothing changed.
            tx.prepare_cached(
                "UPDATE contacts SET
                     handle = ?3,
                     name = coalesce(?4, name),
                     avatar_url = coalesce(?5, avatar_url),
                     bio = coalesce(?6, bio),
                     followers = coalesce(?7, followers),
                     profile_url = coalesce(?8, profile_url),
                     updated_at = ?9
                 WHERE network = ?1 AND remote_id = ?2
                   AND (handle IS NOT ?3 OR name IS NOT coalesce(?4, name)
                        OR avatar_url IS NOT coalesce(?5, avatar_url)
                        OR bio IS NOT coalesce(?6, bio)
                        OR followers IS NOT coalesce(?7, followers)
                        OR profile_url IS NOT coalesce(?8, profile_url))",
            )?
            .execute(profile)?;
            Ok((id, vip))
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO contacts (network, remote_id, handle, name, avatar_url, bio,
                                       followers, profile_url, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(profile)?;
            Ok((tx.last_insert_rowid(), false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_newer_messages_wake_a_conversation() {
        assert!(!wakes(Status::Open, 10, 5, None));
        assert!(wakes(Status::Closed, 10, 5, Some(9)));
        assert!(!wakes(Status::Closed, 8, 5, Some(9)));
        assert!(wakes(Status::Snoozed, 10, 5, None));
        assert!(!wakes(Status::Snoozed, 4, 5, None));
    }
}
