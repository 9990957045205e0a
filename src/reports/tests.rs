#![allow(clippy::unwrap_used)]

use super::*;

const MIN: Millis = 60_000;
const HOUR: Millis = 60 * MIN;
/// 2026-06-01 00:00 UTC, a Monday.
const MONDAY: Millis = 1_780_272_000_000;

fn at(minutes: Millis) -> Millis {
    MONDAY + minutes * MIN
}

fn entry(minutes: Millis, happening: Happening) -> Entry {
    Entry {
        at: at(minutes),
        happening,
    }
}

fn reply(minutes: Millis, agent: &str) -> Entry {
    entry(
        minutes,
        Happening::Reply {
            agent: Some(agent.into()),
        },
    )
}

fn closed(minutes: Millis, by: &str) -> Entry {
    entry(minutes, Happening::Closed { by: by.into() })
}

fn timeline(id: i64, customer: i64, entries: Vec<Entry>) -> Timeline {
    Timeline {
        conversation_id: id,
        customer: Some(customer),
        entries,
    }
}

fn week() -> Period {
    Period {
        since: MONDAY,
        until: MONDAY + 7 * 24 * HOUR,
        utc_offset_minutes: 0,
        hours: None,
    }
}

#[test]
fn responses_count_from_the_first_unanswered_message_to_the_next_reply() {
    let history = vec![
        // Two messages before the reply: the wait starts at the first.
        timeline(
            1,
            10,
            vec![
                entry(0, Happening::Inbound),
                entry(5, Happening::Inbound),
                reply(30, "ana"),
                // A second exchange: a response, but not the first response.
                entry(60, Happening::Inbound),
                reply(70, "bo"),
                closed(71, "bo"),
            ],
        ),
        // Never answered: waits, counts against the reply rate.
        timeline(2, 11, vec![entry(100, Happening::Inbound)]),
        // The same customer again, answered from another app (no agent).
        timeline(
            3,
            10,
            vec![
                entry(200, Happening::Inbound),
                entry(290, Happening::Reply { agent: None }),
            ],
        ),
    ];
    let report = compute(&history, &week());
    assert_eq!((report.inbound, report.outbound), (5, 3));
    assert_eq!(report.first_response.count, 2);
    assert_eq!(report.first_response.median, Some(30 * MIN));
    assert_eq!(report.response.count, 3);
    assert_eq!(report.response.fastest, Some(10 * MIN));
    assert_eq!(report.response.slowest, Some(90 * MIN));
    assert_eq!(report.response.average, Some((30 + 10 + 90) * MIN / 3));
    assert_eq!(report.response.median, Some(30 * MIN));
    assert_eq!(report.response.p90, Some(90 * MIN));
    assert_eq!((report.needing_reply, report.replied), (3, 2));
    assert_eq!(report.reply_rate, Some(2.0 / 3.0));
    assert_eq!(report.unique_customers, 2);
    let bo = report.agents.iter().find(|a| a.agent == "bo").unwrap();
    assert_eq!((bo.replies, bo.closed), (1, 1));
    assert_eq!(bo.response.median, Some(10 * MIN));
    assert_eq!(report.resolution.median, Some(71 * MIN));
    assert_eq!(report.per_day.len(), 1);
    assert_eq!(report.per_day[0].inbound, 5);
}

#[test]
fn snoozed_time_is_not_resolution_time_and_a_reopening_starts_anew() {
    let history = vec![timeline(
        1,
        10,
        vec![
            entry(0, Happening::Inbound),
            reply(10, "ana"),
            entry(20, Happening::Snoozed),
            // Woken after 100 minutes, closed 30 minutes later: 20 + 30 minutes open.
            entry(120, Happening::Reopened),
            closed(150, "ana"),
            // The customer writes again: reopened, answered, closed.
            entry(1000, Happening::Inbound),
            entry(1000, Happening::Reopened),
            reply(1005, "ana"),
            closed(1010, "ana"),
        ],
    )];
    let report = compute(&history, &week());
    assert_eq!(report.resolution.count, 2);
    assert_eq!(report.resolution.fastest, Some(10 * MIN));
    assert_eq!(report.resolution.slowest, Some(50 * MIN));
    let ana = &report.agents[0];
    assert_eq!((ana.replies, ana.closed), (2, 2));
    assert_eq!(report.first_response.count, 1);
}

#[test]
fn a_closed_wait_is_no_response_and_only_the_period_counts() {
    let history = vec![timeline(
        1,
        10,
        vec![
            // Before the period: the wait starts then, the reply lands inside.
            Entry {
                at: MONDAY - HOUR,
                happening: Happening::Inbound,
            },
            reply(30, "ana"),
            // Closed without an answer: no response time.
            entry(100, Happening::Inbound),
            closed(110, "ana"),
            reply(200, "ana"),
        ],
    )];
    let report = compute(&history, &week());
    assert_eq!(
        report.inbound, 1,
        "the earlier message is outside the period"
    );
    assert_eq!(report.response.count, 1);
    assert_eq!(report.response.median, Some(90 * MIN));
    assert_eq!(report.outbound, 2);
}

#[test]
fn business_hours_count_only_working_time_across_nights_weekends_and_zones() {
    let hours = BusinessHours::parse("Mon-Fri 09:00-17:00", "UTC").unwrap();
    // Friday 16:00 → Monday 10:00: one hour on Friday, one on Monday.
    let friday_16 = MONDAY + 4 * 24 * HOUR + 16 * HOUR;
    let monday_10 = MONDAY + 7 * 24 * HOUR + 10 * HOUR;
    assert_eq!(hours.within(friday_16, monday_10), 2 * HOUR);
    // Inside one day.
    assert_eq!(hours.within(MONDAY + 10 * HOUR, MONDAY + 11 * HOUR), HOUR);
    // At night only.
    assert_eq!(hours.within(MONDAY + 18 * HOUR, MONDAY + 20 * HOUR), 0);

    // Madrid is UTC+2 in June: 09:00 there is 07:00 UTC.
    let madrid = BusinessHours::parse("Mon-Fri 09:00-17:00", "Europe/Madrid").unwrap();
    assert_eq!(madrid.within(MONDAY + 6 * HOUR, MONDAY + 8 * HOUR), HOUR);

    let mut period = week();
    period.hours = Some(hours);
    let history = vec![timeline(
        1,
        10,
        vec![
            entry(4 * 24 * 60 + 16 * 60, Happening::Inbound),
            reply(7 * 24 * 60 + 10 * 60 - 1, "ana"),
        ],
    )];
    period.until += 24 * HOUR;
    let report = compute(&history, &period);
    assert_eq!(report.response.median, Some(2 * HOUR - MIN));
}

#[test]
fn business_hours_are_read_with_clear_errors() {
    assert!(BusinessHours::parse("Sun-Thu 08:30-16:30", "Asia/Jerusalem").is_ok());
    assert!(BusinessHours::parse("Mon,Wed,Fri 10:00-12:00", "UTC").is_ok());
    let err = BusinessHours::parse("Mon-Fri 17:00-09:00", "UTC").unwrap_err();
    assert!(err.contains("end after"), "{err}");
    let err = BusinessHours::parse("Mon-Fri 09:00-17:00", "Mars/Olympus").unwrap_err();
    assert!(err.contains("time zone"), "{err}");
    let err = BusinessHours::parse("Someday 09:00-17:00", "UTC").unwrap_err();
    assert!(err.contains("not a day"), "{err}");
}

#[test]
fn tags_and_saved_replies_are_ranked_and_responses_bucketed() {
    let history = vec![timeline(
        1,
        10,
        vec![
            entry(0, Happening::Inbound),
            entry(
                1,
                Happening::Tagged {
                    tag: "Refund".into(),
                },
            ),
            entry(
                2,
                Happening::Tagged {
                    tag: "Refund".into(),
                },
            ),
            entry(
                3,
                Happening::Tagged {
                    tag: "Urgent".into(),
                },
            ),
            entry(
                4,
                Happening::SavedReplyUsed {
                    title: "Refund policy".into(),
                },
            ),
            reply(5, "ana"),
            entry(100, Happening::Inbound),
            reply(400, "ana"),
        ],
    )];
    let report = compute(&history, &week());
    assert_eq!(
        report.top_tags,
        vec![("Refund".into(), 2), ("Urgent".into(), 1)]
    );
    assert_eq!(report.top_saved_replies, vec![("Refund policy".into(), 1)]);
    let counts: Vec<usize> = report.response_buckets.iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, vec![1, 0, 0, 1, 0]);
}
