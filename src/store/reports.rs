//! What reports read: the histories of the conversations active in a period, from the events
//! log, in the shape `crate::reports` computes on.

use rusqlite::params;

use super::{Store, StoreResult};
use crate::model::{Millis, NetworkKind};
use crate::reports::{Entry, Happening, Timeline};

/// The report's filter over `c` (conversation) and `a` (account): ?3 account name, ?4 network,
/// ?5 tag, ?6 assignee, each ignored when NULL.
macro_rules! report_filter {
    () => {
        "(?3 IS NULL OR a.name = ?3)
         AND (?4 IS NULL OR a.network = ?4)
         AND (?5 IS NULL OR EXISTS (SELECT 1 FROM conversation_tags x JOIN tags t ON t.id = x.tag_id
                                    WHERE x.conversation_id = c.id AND t.name = ?5 COLLATE NOCASE))
         AND (?6 IS NULL OR c.assignee = ?6)"
    };
}

/// Which conversations a report covers (None: all).
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub account: Option<String>,
    pub network: Option<NetworkKind>,
    pub tag: Option<String>,
    /// Conversations assigned to this agent.
    pub agent: Option<String>,
}

impl Store {
    /// Every conversation with an event in `since..until`, with its whole history up to `until`
    /// (a wait that began earlier still counts when its reply lands inside).
    pub fn report_timelines(
        &self,
        since: Millis,
        until: Millis,
        filter: &ReportFilter,
    ) -> StoreResult<Vec<Timeline>> {
        // Customers' messages and replies written in another app (fetched back, no outbox entry
        // behind them) come from the messages; earlier versions logged each customer's message
        // as a `message_received` event too, which is left out so none counts twice.
        let mut stmt = self.conn.prepare_cached(concat!(
            "WITH active AS (
                 SELECT conversation_id FROM events
                 WHERE at >= ?1 AND at < ?2 AND conversation_id IS NOT NULL
                 UNION
                 SELECT conversation_id FROM messages
                 WHERE created_at >= ?1 AND created_at < ?2
             ),
             history AS (
                 SELECT e.conversation_id AS cid, e.at AS at, e.id AS seq, e.kind AS kind,
                        e.actor AS actor, e.data AS data
                 FROM events e
                 WHERE e.conversation_id IN active AND e.at < ?2 AND e.kind != 'message_received'
                 UNION ALL
                 SELECT m.conversation_id, m.created_at, 0, 'customer_message', '', '{}'
                 FROM messages m
                 WHERE m.conversation_id IN active AND m.direction = 'in' AND m.created_at < ?2
                 UNION ALL
                 SELECT m.conversation_id, m.created_at, 0, 'fetched_reply', '', '{}'
                 FROM messages m
                 WHERE m.conversation_id IN active AND m.direction = 'out' AND m.created_at < ?2
                   AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
             )
             SELECT h.cid, h.at, h.kind, h.actor, h.data, c.contact_id
             FROM history h
             JOIN conversations c ON c.id = h.cid
             JOIN accounts a ON a.id = c.account_id
             WHERE ",
            report_filter!(),
            " ORDER BY h.cid, h.at, h.seq"
        ))?;
        let rows = stmt.query_map(
            params![
                since,
                until,
                filter.account,
                filter.network.map(|n| n.as_str()),
                filter.tag,
                filter.agent
            ],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Millis>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            },
        )?;
        let mut timelines: Vec<Timeline> = Vec::new();
        for row in rows {
            let (conversation_id, at, kind, actor, data, customer) = row?;
            let data: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
            let text = |key: &str| data[key].as_str().unwrap_or_default().to_owned();
            let happening = match kind.as_str() {
                "fetched_reply" => Happening::Reply { agent: None },
                "customer_message" => Happening::Inbound,
                // A retry is the same reply again.
                "reply_queued" if data["retry"].as_bool() == Some(true) => continue,
                "reply_queued" => Happening::Reply { agent: Some(actor) },
                "closed" => Happening::Closed { by: actor },
                "snoozed" => Happening::Snoozed,
                "reopened" => Happening::Reopened,
                "tagged" => Happening::Tagged { tag: text("tag") },
                "saved_reply_used" => Happening::SavedReplyUsed {
                    title: text("title"),
                },
                _ => continue,
            };
            match timelines.last_mut() {
                Some(timeline) if timeline.conversation_id == conversation_id => {
                    timeline.entries.push(Entry { at, happening });
                }
                _ => timelines.push(Timeline {
                    conversation_id,
                    customer,
                    entries: vec![Entry { at, happening }],
                }),
            }
        }
        Ok(timelines)
    }
}

impl Store {
    /// Customers' messages of a period by sentiment ("positive", "neutral", "negative",
    /// "unknown").
    pub fn sentiment_split(
        &self,
        since: Millis,
        until: Millis,
        filter: &ReportFilter,
    ) -> StoreResult<Vec<(String, usize)>> {
        let mut stmt = self.conn.prepare_cached(concat!(
            "SELECT coalesce(m.sentiment, 'unknown'), count(*)
             FROM messages m
             JOIN conversations c ON c.id = m.conversation_id
             JOIN accounts a ON a.id = c.account_id
             WHERE m.direction = 'in' AND m.created_at >= ?1 AND m.created_at < ?2
               AND ",
            report_filter!(),
            " GROUP BY 1 ORDER BY 2 DESC"
        ))?;
        let rows = stmt.query_map(
            params![
                since,
                until,
                filter.account,
                filter.network.map(|n| n.as_str()),
                filter.tag,
                filter.agent
            ],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )?;
        let mut split = Vec::new();
        for row in rows {
            let (sentiment, count) = row?;
            split.push((sentiment, usize::try_from(count).unwrap_or(0)));
        }
        Ok(split)
    }
}
