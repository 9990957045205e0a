//! Customers: the profile the network gives, what the team knows about them (notes, email,
//! order reference, custom fields, VIP), and links between one person's accounts on different
//! networks.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::conversations::ConversationRow;
use super::events::{EventKind, record_event};
use super::triage::Note;
use super::{Store, StoreError, StoreResult};
use crate::model::{Millis, NetworkKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub id: i64,
    pub network: NetworkKind,
    pub remote_id: String,
    pub handle: String,
    pub name: Option<String>,
    pub avatar_url: Option<String>,
    pub bio: Option<String>,
    pub followers: Option<i64>,
    pub profile_url: Option<String>,
    pub fields: ContactFields,
    pub vip: bool,
    /// The contact that stands for the whole person when several are linked.
    pub person_id: i64,
}

/// What the team entered about a customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContactFields {
    pub email: Option<String>,
    pub order_ref: Option<String>,
    pub custom: BTreeMap<String, String>,
}

macro_rules! contact_select {
    () => {
        "SELECT id, network, remote_id, handle, name, avatar_url, bio, followers, profile_url,
                email, order_ref, custom_fields, vip, coalesce(person_id, id)
         FROM contacts "
    };
}

fn contact_from(row: &Row<'_>) -> rusqlite::Result<Contact> {
    let custom: String = row.get(11)?;
    Ok(Contact {
        id: row.get(0)?,
        network: row.get(1)?,
        remote_id: row.get(2)?,
        handle: row.get(3)?,
        name: row.get(4)?,
        avatar_url: row.get(5)?,
        bio: row.get(6)?,
        followers: row.get(7)?,
        profile_url: row.get(8)?,
        fields: ContactFields {
            email: row.get(9)?,
            order_ref: row.get(10)?,
            custom: serde_json::from_str(&custom).unwrap_or_default(),
        },
        vip: row.get(12)?,
        person_id: row.get(13)?,
    })
}

impl Store {
    pub fn contact(&self, id: i64) -> StoreResult<Contact> {
        let mut stmt = self
            .conn
            .prepare_cached(concat!(contact_select!(), "WHERE id = ?1"))?;
        stmt.query_row([id], contact_from)
            .optional()?
            .ok_or_else(|| not_found(id))
    }

    /// Every contact that is the same person as `id` (itself included), on any network.
    pub fn person(&self, id: i64) -> StoreResult<Vec<Contact>> {
        let person = self.contact(id)?.person_id;
        let mut stmt = self.conn.prepare_cached(concat!(
            contact_select!(),
            "WHERE coalesce(person_id, id) = ?1 ORDER BY network, handle"
        ))?;
        Ok(stmt
            .query_map([person], contact_from)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Contacts whose handle or name contains `text`, to find the one to link.
    pub fn find_contacts(&self, text: &str, limit: usize) -> StoreResult<Vec<Contact>> {
        let pattern = format!("%{}%", text.replace(['%', '_'], ""));
        let mut stmt = self.conn.prepare_cached(concat!(
            contact_select!(),
            "WHERE handle LIKE ?1 OR name LIKE ?1 ORDER BY handle LIMIT ?2"
        ))?;
        Ok(stmt
            .query_map(
                params![pattern, i64::try_from(limit).unwrap_or(i64::MAX)],
                contact_from,
            )?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Every conversation with this person, on every account and network, newest first.
    pub fn person_conversations(&self, contact_id: i64) -> StoreResult<Vec<ConversationRow>> {
        let person = self.contact(contact_id)?.person_id;
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(
                "SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
                 WHERE coalesce(ct.person_id, ct.id) = ?1 ORDER BY c.last_message_at DESC, c.id DESC",
            )?
            .query_map([person], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = self.conversation_row(id)? {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    pub fn update_contact_fields(
        &mut self,
        id: i64,
        fields: &ContactFields,
        actor: &str,
        now: Millis,
    ) -> StoreResult<()> {
        let clean = |v: &Option<String>| {
            v.as_ref()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let custom = serde_json::to_string(&fields.custom).unwrap_or_else(|_| "{}".into());
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE contacts SET email = ?2, order_ref = ?3, custom_fields = ?4 WHERE id = ?1",
                params![id, clean(&fields.email), clean(&fields.order_ref), custom],
            )?;
            if changed == 0 {
                return Err(not_found(id));
            }
            record_contact_event(
                tx,
                id,
                actor,
                now,
                EventKind::ContactUpdated,
                serde_json::json!({ "fields": true }),
            )
        })
    }

    /// Marks a customer as VIP (or not); a VIP's open conversations rank high at once.
    pub fn set_vip(&mut self, id: i64, vip: bool, actor: &str, now: Millis) -> StoreResult<()> {
        self.write(|tx| {
            let person: i64 = tx
                .query_row(
                    "SELECT coalesce(person_id, id) FROM contacts WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| not_found(id))?;
            tx.execute(
                "UPDATE contacts SET vip = ?2 WHERE coalesce(person_id, id) = ?1",
                params![person, vip],
            )?;
            if vip {
                tx.execute(
                    "UPDATE conversations SET priority = max(priority, 1) WHERE contact_id IN
                         (SELECT id FROM contacts WHERE coalesce(person_id, id) = ?1)",
                    [person],
                )?;
            }
            record_contact_event(
                tx,
                id,
                actor,
                now,
                EventKind::ContactUpdated,
                serde_json::json!({ "vip": vip }),
            )
        })
    }

    pub fn add_contact_note(
        &mut self,
        id: i64,
        body: &str,
        author: &str,
        now: Millis,
    ) -> StoreResult<i64> {
        if body.trim().is_empty() {
            return Err(StoreError::Rejected("the note is empty".into()));
        }
        self.write(|tx| {
            let note: i64 = tx.query_row(
                "INSERT INTO contact_notes (contact_id, author, body, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                params![id, author, body.trim_end(), now],
                |r| r.get(0),
            )?;
            record_contact_event(tx, id, author, now, EventKind::ContactNoteAdded, serde_json::json!({ "note_id": note }))?;
            Ok(note)
        })
    }

    /// Notes on a person (all their linked contacts), oldest first.
    pub fn contact_notes(&self, id: i64) -> StoreResult<Vec<Note>> {
        let person = self.contact(id)?.person_id;
        let mut stmt = self.conn.prepare_cached(
            "SELECT n.id, n.author, n.body, n.created_at FROM contact_notes n
             JOIN contacts c ON c.id = n.contact_id
             WHERE coalesce(c.person_id, c.id) = ?1 ORDER BY n.created_at, n.id",
        )?;
        Ok(stmt
            .query_map([person], |r| {
                Ok(Note {
                    id: r.get(0)?,
                    author: r.get(1)?,
                    body: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Makes two contacts (and everyone already linked to either) one person.
    pub fn link_contacts(&mut self, a: i64, b: i64, actor: &str, now: Millis) -> StoreResult<()> {
        self.write(|tx| {
            let person_of = |id: i64| -> StoreResult<i64> {
                tx.query_row("SELECT coalesce(person_id, id) FROM contacts WHERE id = ?1", [id], |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| not_found(id))
            };
            let (pa, pb) = (person_of(a)?, person_of(b)?);
            if pa == pb {
                return Ok(());
            }
            let (keep, merge) = (pa.min(pb), pa.max(pb));
            tx.execute(
                "UPDATE contacts SET person_id = ?1 WHERE coalesce(person_id, id) IN (?1, ?2)",
                params![keep, merge],
            )?;
            // One person, one VIP flag: VIP if either was.
            tx.execute(
                "UPDATE contacts SET vip = (SELECT max(vip) FROM contacts WHERE person_id = ?1) WHERE person_id = ?1",
                [keep],
            )?;
            record_contact_event(tx, a, actor, now, EventKind::ContactsLinked, serde_json::json!({ "with": b }))
        })
    }
}

/// Contact events are logged against the contact's latest conversation, so that they show in
/// its history; the contact id is in the data.
fn record_contact_event(
    tx: &rusqlite::Transaction<'_>,
    contact_id: i64,
    actor: &str,
    now: Millis,
    kind: EventKind,
    mut data: serde_json::Value,
) -> StoreResult<()> {
    let conversation: Option<i64> = tx
        .query_row(
            "SELECT id FROM conversations WHERE contact_id = ?1 ORDER BY last_message_at DESC LIMIT 1",
            [contact_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(object) = data.as_object_mut() {
        object.insert("contact_id".into(), contact_id.into());
    }
    record_event(tx, now, actor, kind, conversation, None, &data)
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "contact",
        id: id.to_string(),
    }
}
