//! Saved replies: pre-written answers, inserted in the composer with `##`.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use super::events::{EventKind, record_event};
use super::{Store, StoreError, StoreResult};
use crate::model::Millis;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedReply {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub shortcut: Option<String>,
    pub tags: Vec<String>,
    pub use_count: i64,
    pub last_used_at: Option<Millis>,
}

/// A saved reply as written by a person or a file (no id, no usage).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedReplyDraft {
    pub title: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortcut: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

fn reply_from(row: &Row<'_>) -> rusqlite::Result<SavedReply> {
    let tags: String = row.get(4)?;
    Ok(SavedReply {
        id: row.get(0)?,
        title: row.get(1)?,
        body: row.get(2)?,
        shortcut: row.get(3)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        use_count: row.get(5)?,
        last_used_at: row.get(6)?,
    })
}

macro_rules! reply_select {
    () => {
        "SELECT id, title, body, shortcut, tags, use_count, last_used_at FROM saved_replies "
    };
}

impl SavedReplyDraft {
    /// Checks the fields a person typed: a title and a body are needed; a shortcut is one word.
    pub fn validate(&self) -> StoreResult<()> {
        if self.title.trim().is_empty() {
            return Err(StoreError::Rejected("a saved reply needs a title".into()));
        }
        if self.body.trim().is_empty() {
            return Err(StoreError::Rejected(format!(
                "the saved reply '{}' has no body",
                self.title
            )));
        }
        if let Some(shortcut) = &self.shortcut
            && (shortcut.is_empty() || shortcut.chars().any(char::is_whitespace))
        {
            return Err(StoreError::Rejected(format!(
                "the shortcut '{shortcut}' must be one word without spaces"
            )));
        }
        Ok(())
    }

    fn normalised(&self) -> SavedReplyDraft {
        SavedReplyDraft {
            title: self.title.trim().to_owned(),
            body: self.body.trim_end().to_owned(),
            shortcut: self
                .shortcut
                .as_ref()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            tags: self
                .tags
                .iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }
}

impl Store {
    /// Every saved reply, most used first.
    pub fn saved_replies(&self) -> StoreResult<Vec<SavedReply>> {
        let mut stmt = self.conn.prepare_cached(concat!(
            reply_select!(),
            "ORDER BY use_count DESC, coalesce(last_used_at, 0) DESC, title"
        ))?;
        Ok(stmt
            .query_map([], reply_from)?
            .collect::<rusqlite::Result<_>>()?)
    }

    pub fn saved_reply(&self, id: i64) -> StoreResult<SavedReply> {
        let mut stmt = self
            .conn
            .prepare_cached(concat!(reply_select!(), "WHERE id = ?1"))?;
        stmt.query_row([id], reply_from)
            .optional()?
            .ok_or_else(|| not_found(id))
    }

    pub fn add_saved_reply(&mut self, draft: &SavedReplyDraft, now: Millis) -> StoreResult<i64> {
        draft.validate()?;
        let draft = draft.normalised();
        self.write(|tx| insert(tx, &draft, now))
    }

    pub fn update_saved_reply(&mut self, id: i64, draft: &SavedReplyDraft) -> StoreResult<()> {
        draft.validate()?;
        let draft = draft.normalised();
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE saved_replies SET title = ?2, body = ?3, shortcut = ?4, tags = ?5 WHERE id = ?1",
                    params![id, draft.title, draft.body, draft.shortcut, tags_json(&draft.tags)],
                )
                .map_err(|err| shortcut_taken(err, &draft))?;
            if changed == 0 {
                return Err(not_found(id));
            }
            Ok(())
        })
    }

    pub fn delete_saved_reply(&mut self, id: i64) -> StoreResult<()> {
        self.write(|tx| {
            if tx.execute("DELETE FROM saved_replies WHERE id = ?1", [id])? == 0 {
                return Err(not_found(id));
            }
            Ok(())
        })
    }

    /// Counts a use of a saved reply and records who used it where, for the reports.
    pub fn record_saved_reply_use(
        &mut self,
        id: i64,
        agent: &str,
        conversation_id: Option<i64>,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| {
            let title: Option<String> = tx
                .query_row("SELECT title FROM saved_replies WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            let title = title.ok_or_else(|| not_found(id))?;
            tx.execute(
                "UPDATE saved_replies SET use_count = use_count + 1, last_used_at = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            record_event(
                tx,
                now,
                agent,
                EventKind::SavedReplyUsed,
                conversation_id,
                None,
                &serde_json::json!({ "saved_reply_id": id, "title": title }),
            )?;
            Ok(())
        })
    }

    /// Adds the drafts that are new and updates the ones that exist, matched by shortcut when
    /// they have one, else by title. All or nothing: one bad entry imports none.
    pub fn import_saved_replies(
        &mut self,
        drafts: &[SavedReplyDraft],
        now: Millis,
    ) -> StoreResult<ImportReport> {
        for (index, draft) in drafts.iter().enumerate() {
            draft
                .validate()
                .map_err(|err| StoreError::Rejected(format!("entry {}: {err}", index + 1)))?;
        }
        self.write(|tx| {
            let mut report = ImportReport::default();
            for draft in drafts.iter().map(SavedReplyDraft::normalised) {
                let existing: Option<SavedReply> = match &draft.shortcut {
                    Some(shortcut) => tx
                        .prepare_cached(concat!(reply_select!(), "WHERE shortcut = ?1"))?
                        .query_row([shortcut], reply_from)
                        .optional()?,
                    None => tx
                        .prepare_cached(concat!(reply_select!(), "WHERE title = ?1 AND shortcut IS NULL"))?
                        .query_row([&draft.title], reply_from)
                        .optional()?,
                };
                match existing {
                    None => {
                        insert(tx, &draft, now)?;
                        report.added += 1;
                    }
                    Some(old)
                        if old.title == draft.title
                            && old.body == draft.body
                            && old.shortcut == draft.shortcut
                            && old.tags == draft.tags =>
                    {
                        report.unchanged += 1;
                    }
                    Some(old) => {
                        tx.execute(
                            "UPDATE saved_replies SET title = ?2, body = ?3, shortcut = ?4, tags = ?5
                             WHERE id = ?1",
                            params![old.id, draft.title, draft.body, draft.shortcut, tags_json(&draft.tags)],
                        )?;
                        report.updated += 1;
                    }
                }
            }
            Ok(report)
        })
    }
}

fn insert(tx: &Transaction<'_>, draft: &SavedReplyDraft, now: Millis) -> StoreResult<i64> {
    tx.query_row(
        "INSERT INTO saved_replies (title, body, shortcut, tags, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![
            draft.title,
            draft.body,
            draft.shortcut,
            tags_json(&draft.tags),
            now
        ],
        |r| r.get(0),
    )
    .map_err(|err| shortcut_taken(err, draft))
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

fn shortcut_taken(err: rusqlite::Error, draft: &SavedReplyDraft) -> StoreError {
    match (&err, &draft.shortcut) {
        (rusqlite::Error::SqliteFailure(failure, _), Some(shortcut))
            if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Rejected(format!(
                "another saved reply already has the shortcut '{shortcut}'"
            ))
        }
        _ => StoreError::Sqlite(err),
    }
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "saved reply",
        id: id.to_string(),
    }
}
