//! Reports: response and resolution numbers computed from the events log. Pure functions over
//! each conversation's timeline, so that every definition can be checked on a hand-built
//! history; the store only gathers the timelines (`Store::report_timelines`).
//!
//! Definitions (also in the README):
//! - A conversation **waits** from a customer's message that arrives while it is not waiting,
//!   until the brand's next reply (from hark or, fetched back, from another app). That wait is
//!   one **response time**. The first response of a conversation is its **first response time**.
//!   Closing or snoozing a waiting conversation without a reply ends the wait unanswered.
//! - **Resolution time**: from the start of an open period (the conversation's first message, or
//!   a reopening) to its closing, less the time it spent snoozed in between.
//! - **Reply rate**: conversations that got at least one reply ÷ conversations that waited.
//! - With business hours, a duration counts only the time inside them.
//!
//! Everything is counted in the period asked for by when it happened: a response by its reply,
//! a resolution by its closing, volume by the message.

pub mod hours;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use self::hours::BusinessHours;
use crate::model::Millis;

/// What happened in a conversation, as reports need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happening {
    /// A customer's message.
    Inbound,
    /// A reply by the brand: `agent` is who wrote it in hark (None: from another app).
    Reply {
        agent: Option<String>,
    },
    Closed {
        by: String,
    },
    Snoozed,
    Reopened,
    Tagged {
        tag: String,
    },
    SavedReplyUsed {
        title: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: Millis,
    pub happening: Happening,
}

/// One conversation's history, oldest first, with who its customer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub conversation_id: i64,
    pub customer: Option<i64>,
    pub entries: Vec<Entry>,
}

/// The period and the hours that count.
#[derive(Debug, Clone)]
pub struct Period {
    pub since: Millis,
    pub until: Millis,
    /// Days are cut at this offset from UTC (minutes), for the per-day volume.
    pub utc_offset_minutes: i32,
    pub hours: Option<BusinessHours>,
}

impl Period {
    fn contains(&self, at: Millis) -> bool {
        (self.since..self.until).contains(&at)
    }

    fn duration(&self, from: Millis, to: Millis) -> Millis {
        match &self.hours {
            Some(hours) => hours.within(from, to),
            None => (to - from).max(0),
        }
    }

    fn day(&self, at: Millis) -> String {
        use chrono::Offset;
        let offset = chrono::FixedOffset::east_opt(self.utc_offset_minutes * 60)
            .unwrap_or_else(|| chrono::Utc.fix());
        crate::model::from_millis(at)
            .with_timezone(&offset)
            .format("%Y-%m-%d")
            .to_string()
    }
}

/// Durations in milliseconds, summarised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Durations {
    pub count: usize,
    pub average: Option<Millis>,
    pub median: Option<Millis>,
    pub p90: Option<Millis>,
    pub fastest: Option<Millis>,
    pub slowest: Option<Millis>,
}

impl Durations {
    pub fn of(mut values: Vec<Millis>) -> Durations {
        values.sort_unstable();
        let count = values.len();
        if count == 0 {
            return Durations::default();
        }
        // Nearest-rank percentiles: an actual observed value, as people expect of "the median
        // reply took 12 minutes".
        let rank = |p: f64| values[((p * count as f64).ceil() as usize).clamp(1, count) - 1];
        let total: i128 = values.iter().map(|v| i128::from(*v)).sum();
        Durations {
            count,
            average: i64::try_from(total / count as i128).ok(),
            median: Some(rank(0.5)),
            p90: Some(rank(0.9)),
            fastest: values.first().copied(),
            slowest: values.last().copied(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgentReport {
    pub agent: String,
    pub replies: usize,
    pub response: Durations,
    pub closed: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DayVolume {
    pub day: String,
    pub inbound: usize,
    pub outbound: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub inbound: usize,
    pub outbound: usize,
    pub per_day: Vec<DayVolume>,
    pub first_response: Durations,
    pub response: Durations,
    pub resolution: Durations,
    /// Conversations that waited in the period, and how many of them got a reply.
    pub needing_reply: usize,
    pub replied: usize,
    pub reply_rate: Option<f64>,
    pub unique_customers: usize,
    pub agents: Vec<AgentReport>,
    pub top_tags: Vec<(String, usize)>,
    pub top_saved_replies: Vec<(String, usize)>,
    /// Responses per bucket of the response time distribution (for the chart).
    pub response_buckets: Vec<(String, usize)>,
    /// Customers' messages by sentiment (filled in from the messages, not the events).
    pub sentiment: Vec<(String, usize)>,
}

/// The report of `timelines` over `period`.
pub fn compute(timelines: &[Timeline], period: &Period) -> Report {
    let mut report = Report::default();
    let mut first_responses = Vec::new();
    let mut responses = Vec::new();
    let mut resolutions = Vec::new();
    let mut per_day: BTreeMap<String, DayVolume> = BTreeMap::new();
    let mut agents: BTreeMap<String, (Vec<Millis>, usize, usize)> = BTreeMap::new();
    let mut customers = BTreeSet::new();
    let mut tags: BTreeMap<String, usize> = BTreeMap::new();
    let mut saved: BTreeMap<String, usize> = BTreeMap::new();

    for timeline in timelines {
        let mut waiting_since: Option<Millis> = None;
        let mut answered_before = false;
        let mut open_since: Option<Millis> = None;
        let mut snoozed_since: Option<Millis> = None;
        let mut snoozed_total: Millis = 0;
        let mut waited_in_period = false;
        let mut replied_in_period = false;
        for entry in &timeline.entries {
            let at = entry.at;
            let inside = period.contains(at);
            match &entry.happening {
                Happening::Inbound => {
                    if inside {
                        report.inbound += 1;
                        per_day.entry(period.day(at)).or_default().inbound += 1;
                        if let Some(customer) = timeline.customer {
                            customers.insert(customer);
                        }
                    }
                    if open_since.is_none() {
                        open_since = Some(at);
                    }
                    if waiting_since.is_none() {
                        waiting_since = Some(at);
                        waited_in_period |= inside;
                    }
                }
                Happening::Reply { agent } => {
                    if inside {
                        report.outbound += 1;
                        per_day.entry(period.day(at)).or_default().outbound += 1;
                    }
                    if let Some(since) = waiting_since.take() {
                        let took = period.duration(since, at);
                        if inside {
                            responses.push(took);
                            replied_in_period = true;
                            if !answered_before {
                                first_responses.push(took);
                            }
                            if let Some(agent) = agent {
                                agents.entry(agent.clone()).or_default().0.push(took);
                            }
                        }
                        answered_before = true;
                    }
                    if inside && let Some(agent) = agent {
                        agents.entry(agent.clone()).or_default().1 += 1;
                    }
                }
                Happening::Snoozed => {
                    waiting_since = None;
                    snoozed_since.get_or_insert(at);
                }
                Happening::Reopened => {
                    if let Some(since) = snoozed_since.take() {
                        snoozed_total += period.duration(since, at);
                    } else {
                        // Reopened after a close: a new open period.
                        open_since = Some(at);
                        snoozed_total = 0;
                    }
                }
                Happening::Closed { by } => {
                    waiting_since = None;
                    if let Some(since) = snoozed_since.take() {
                        snoozed_total += period.duration(since, at);
                    }
                    if let Some(start) = open_since.take()
                        && inside
                    {
                        resolutions.push((period.duration(start, at) - snoozed_total).max(0));
                        if by != crate::store::SYNC_ACTOR {
                            agents.entry(by.clone()).or_default().2 += 1;
                        }
                    }
                    snoozed_total = 0;
                }
                Happening::Tagged { tag } if inside => *tags.entry(tag.clone()).or_default() += 1,
                Happening::SavedReplyUsed { title } if inside => {
                    *saved.entry(title.clone()).or_default() += 1;
                }
                Happening::Tagged { .. } | Happening::SavedReplyUsed { .. } => {}
            }
        }
        report.needing_reply += usize::from(waited_in_period || replied_in_period);
        report.replied += usize::from(replied_in_period);
    }

    report.reply_rate =
        (report.needing_reply > 0).then(|| report.replied as f64 / report.needing_reply as f64);
    report.response_buckets = buckets(&responses);
    report.first_response = Durations::of(first_responses);
    report.response = Durations::of(responses);
    report.resolution = Durations::of(resolutions);
    report.per_day = per_day
        .into_iter()
        .map(|(day, mut volume)| {
            volume.day = day;
            volume
        })
        .collect();
    report.unique_customers = customers.len();
    report.agents = agents
        .into_iter()
        .map(|(agent, (times, replies, closed))| AgentReport {
            agent,
            replies,
            response: Durations::of(times),
            closed,
        })
        .collect();
    report.top_tags = top(tags);
    report.top_saved_replies = top(saved);
    report
}

fn top(counts: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let mut list: Vec<(String, usize)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(10);
    list
}

/// Response times by bucket: under 15 min, 1 h, 4 h, 24 h, and longer.
fn buckets(responses: &[Millis]) -> Vec<(String, usize)> {
    const MINUTE: Millis = 60_000;
    let limits = [
        ("<15m", 15 * MINUTE),
        ("<1h", 60 * MINUTE),
        ("<4h", 240 * MINUTE),
        ("<24h", 1440 * MINUTE),
        ("≥24h", Millis::MAX),
    ];
    let mut counts = vec![0usize; limits.len()];
    for response in responses {
        if let Some(index) = limits.iter().position(|(_, limit)| response < limit) {
            counts[index] += 1;
        }
    }
    limits
        .iter()
        .zip(counts)
        .map(|((label, _), n)| ((*label).to_owned(), n))
        .collect()
}

#[cfg(test)]
mod tests;
