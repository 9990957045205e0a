//! What is going wrong with the sync and the integrations, as recorded in the database by
//! whichever process does them: on a team box the daemon syncs and notifies, and the people's
//! inboxes learn of its failures (an expired token, a Slack webhook refused) only from here.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreResult};
use crate::model::Millis;

/// One thing going wrong: what it concerns (an account, an integration channel) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    pub subject: String,
    pub text: String,
}

impl Store {
    /// The accounts whose last sync of a stream failed, and the integration channels whose
    /// latest delivery failed (retrying, or given up with no delivery since), by name.
    pub fn recorded_troubles(&self) -> StoreResult<Vec<Trouble>> {
        let mut troubles = self.sync_troubles()?;
        for channel in self.notification_channels()? {
            if let Some(text) = self.channel_trouble(&channel)? {
                troubles.push(Trouble {
                    subject: channel,
                    text,
                });
            }
        }
        Ok(troubles)
    }

    /// A stream's error is cleared by its next good fetch: what is left is failing now.
    fn sync_troubles(&self) -> StoreResult<Vec<Trouble>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.name, s.stream, s.last_error FROM sync_state s
             JOIN accounts a ON a.id = s.account_id
             WHERE s.last_error IS NOT NULL
             ORDER BY a.name, s.stream",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut troubles: Vec<Trouble> = Vec::new();
        for row in rows {
            let (account, stream, error) = row?;
            let said = format!("{stream}: {error}");
            match troubles.last_mut() {
                Some(last) if last.subject == account => {
                    last.text.push_str("; ");
                    last.text.push_str(&said);
                }
                _ => troubles.push(Trouble {
                    subject: account,
                    text: format!("error: {said}"),
                }),
            }
        }
        Ok(troubles)
    }

    /// Each query walks the `(channel, state, next_attempt_at)` index from one end: cheap
    /// however many notifications a channel has sent.
    fn channel_trouble(&self, channel: &str) -> StoreResult<Option<String>> {
        let retrying: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT last_error FROM notifications
                 WHERE channel = ?1 AND state IN ('queued', 'sending') AND last_error IS NOT NULL
                 ORDER BY next_attempt_at DESC LIMIT 1",
            )?
            .query_row([channel], |r| r.get(0))
            .optional()?;
        if let Some(error) = retrying {
            return Ok(Some(format!("not delivered: {error}; retrying")));
        }
        let given_up: Option<(Option<String>, Millis)> = self
            .conn
            .prepare_cached(
                "SELECT last_error, next_attempt_at FROM notifications
                 WHERE channel = ?1 AND state = 'failed'
                 ORDER BY next_attempt_at DESC LIMIT 1",
            )?
            .query_row([channel], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((error, failed_at)) = given_up else {
            return Ok(None);
        };
        let last_sent: Option<Millis> = self.conn.prepare_cached(
            "SELECT max(next_attempt_at) FROM notifications WHERE channel = ?1 AND state = 'sent'",
        )?
        .query_row(params![channel], |r| r.get(0))?;
        // A delivery since the failure: the channel works again.
        Ok(last_sent
            .is_none_or(|sent| sent < failed_at)
            .then(|| format!("failed: {}", error.as_deref().unwrap_or("no reason given"))))
    }
}
