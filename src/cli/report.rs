//! `hark report`: response and resolution numbers for a period, as text, JSON or CSV.

use clap::Args;

use super::context::Context;
use super::exit::{Code, UsageError};
use super::json;
use crate::model::{Millis, NetworkKind};
use crate::reports::{Durations, Period, Report, compute};
use crate::store::ReportFilter;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Start: a date (2026-11-01), or how long ago (7d, 24h) [default: 7d].
    #[arg(long)]
    pub since: Option<String>,
    /// End: a date (excluded), or how long ago [default: now].
    #[arg(long)]
    pub until: Option<String>,
    /// Only this account.
    #[arg(long)]
    pub account: Option<String>,
    /// Only this network (mastodon, bluesky, facebook, instagram, x, demo).
    #[arg(long)]
    pub network: Option<String>,
    /// Only conversations with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Only conversations assigned to this agent.
    #[arg(long)]
    pub agent: Option<String>,
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Long-format CSV: section,key,value.
    #[arg(long)]
    pub csv: bool,
}

pub fn run(context: &Context, args: ReportArgs) -> anyhow::Result<Code> {
    let now = context.clock.now_millis();
    let offset = context.config.reports.utc_offset_minutes(now);
    let since = match &args.since {
        Some(text) => moment(text, now, offset)?,
        None => now - 7 * DAY,
    };
    let until = match &args.until {
        Some(text) => moment(text, now, offset)?,
        None => now + 1,
    };
    if until <= since {
        return Err(UsageError("--until must come after --since".into()).into());
    }
    let network = match &args.network {
        Some(name) => Some(
            name.parse::<NetworkKind>()
                .map_err(|_| UsageError(format!("'{name}' is not a network hark knows")))?,
        ),
        None => None,
    };
    let filter = ReportFilter {
        account: args.account.clone(),
        network,
        tag: args.tag.clone(),
        agent: args.agent.clone(),
    };
    let period = Period {
        since,
        until,
        utc_offset_minutes: offset,
        hours: context.config.reports.hours().map_err(UsageError)?,
    };
    let store = context.open_store()?;
    let mut report = compute(&store.report_timelines(since, until, &filter)?, &period);
    report.sentiment = store.sentiment_split(since, until, &filter)?;
    if args.json {
        let out = serde_json::json!({
            "format": json::FORMAT_VERSION,
            "since": json::time(since),
            "until": json::time(until),
            "business_hours": period.hours.is_some(),
            "report": report,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
    } else if args.csv {
        print_csv(&report)?;
    } else {
        print_text(&report, since, until, period.hours.is_some())?;
    }
    Ok(Code::Ok)
}

const DAY: Millis = 24 * 60 * 60 * 1000;

/// "2026-11-01" (midnight in the report's time zone), "7d", "24h" or "90m" ago.
fn moment(text: &str, now: Millis, offset_minutes: i32) -> anyhow::Result<Millis> {
    let text = text.trim();
    let unit = |suffix: char, size: Millis| {
        text.strip_suffix(suffix)
            .and_then(|n| n.parse::<Millis>().ok())
            .map(|n| now - n * size)
    };
    if let Some(at) = unit('d', DAY)
        .or_else(|| unit('h', DAY / 24))
        .or_else(|| unit('m', 60_000))
    {
        return Ok(at);
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        UsageError(format!(
            "'{text}' is not a date (2026-11-01) or a span (7d, 24h, 90m)"
        ))
    })?;
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or_default();
    Ok(midnight - Millis::from(offset_minutes) * 60_000)
}

fn minutes(value: Option<Millis>) -> String {
    match value {
        None => "—".into(),
        Some(ms) if ms < 60 * 60_000 => format!("{}m", ms / 60_000),
        Some(ms) if ms < DAY => format!("{}h{:02}m", ms / 3_600_000, ms % 3_600_000 / 60_000),
        Some(ms) => format!("{}d{:02}h", ms / DAY, ms % DAY / 3_600_000),
    }
}

fn durations_line(name: &str, d: &Durations) -> String {
    format!(
        "{name:<16} {:>6}  avg {:>8}  median {:>8}  p90 {:>8}",
        d.count,
        minutes(d.average),
        minutes(d.median),
        minutes(d.p90)
    )
}

fn print_text(
    report: &Report,
    since: Millis,
    until: Millis,
    business: bool,
) -> std::io::Result<()> {
    outln!(
        "Report {} → {}{}",
        json::time(since),
        json::time(until),
        if business { " (business hours)" } else { "" }
    )?;
    outln!(
        "Messages in {}, replies out {}, customers {}",
        report.inbound,
        report.outbound,
        report.unique_customers
    )?;
    match report.reply_rate {
        Some(rate) => outln!(
            "Reply rate {:.0}% ({} of {} conversations that waited)",
            rate * 100.0,
            report.replied,
            report.needing_reply
        )?,
        None => outln!("Reply rate — (no conversation waited)")?,
    }
    outln!()?;
    outln!(
        "{}",
        durations_line("First response", &report.first_response)
    )?;
    outln!("{}", durations_line("Response", &report.response))?;
    outln!("{}", durations_line("Resolution", &report.resolution))?;
    if !report.agents.is_empty() {
        outln!(
            "\n{:<16} {:>7} {:>9} {:>9} {:>9} {:>7}",
            "AGENT",
            "REPLIES",
            "MEDIAN",
            "FASTEST",
            "SLOWEST",
            "CLOSED"
        )?;
        for agent in &report.agents {
            outln!(
                "{:<16} {:>7} {:>9} {:>9} {:>9} {:>7}",
                crate::text::sanitize_line(&agent.agent),
                agent.replies,
                minutes(agent.response.median),
                minutes(agent.response.fastest),
                minutes(agent.response.slowest),
                agent.closed
            )?;
        }
    }
    if !report.top_tags.is_empty() {
        let tags: Vec<String> = report
            .top_tags
            .iter()
            .map(|(t, n)| format!("#{} {n}", crate::text::sanitize_line(t)))
            .collect();
        outln!("\nTop tags: {}", tags.join(", "))?;
    }
    if !report.sentiment.is_empty() {
        let split: Vec<String> = report
            .sentiment
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        outln!("Sentiment: {}", split.join(", "))?;
    }
    if !report.top_saved_replies.is_empty() {
        let used: Vec<String> = report
            .top_saved_replies
            .iter()
            .map(|(t, n)| format!("{} ×{n}", crate::text::sanitize_line(t)))
            .collect();
        outln!("Saved replies: {}", used.join(", "))?;
    }
    Ok(())
}

fn print_csv(report: &Report) -> std::io::Result<()> {
    outln!("section,key,value")?;
    let row = |section: &str, key: &str, value: String| {
        let quote = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        };
        outln!("{},{},{}", quote(section), quote(key), quote(&value))
    };
    let opt = |v: Option<Millis>| v.map(|v| v.to_string()).unwrap_or_default();
    row("summary", "inbound", report.inbound.to_string())?;
    row("summary", "outbound", report.outbound.to_string())?;
    row(
        "summary",
        "unique_customers",
        report.unique_customers.to_string(),
    )?;
    row("summary", "needing_reply", report.needing_reply.to_string())?;
    row("summary", "replied", report.replied.to_string())?;
    row(
        "summary",
        "reply_rate",
        report
            .reply_rate
            .map(|r| format!("{r:.4}"))
            .unwrap_or_default(),
    )?;
    for (name, d) in [
        ("first_response", &report.first_response),
        ("response", &report.response),
        ("resolution", &report.resolution),
    ] {
        row(name, "count", d.count.to_string())?;
        row(name, "average_ms", opt(d.average))?;
        row(name, "median_ms", opt(d.median))?;
        row(name, "p90_ms", opt(d.p90))?;
    }
    for day in &report.per_day {
        row("day_inbound", &day.day, day.inbound.to_string())?;
        row("day_outbound", &day.day, day.outbound.to_string())?;
    }
    for agent in &report.agents {
        row("agent_replies", &agent.agent, agent.replies.to_string())?;
        row("agent_median_ms", &agent.agent, opt(agent.response.median))?;
        row("agent_closed", &agent.agent, agent.closed.to_string())?;
    }
    for (tag, n) in &report.top_tags {
        row("tag", tag, n.to_string())?;
    }
    for (sentiment, n) in &report.sentiment {
        row("sentiment", sentiment, n.to_string())?;
    }
    for (title, n) in &report.top_saved_replies {
        row("saved_reply", title, n.to_string())?;
    }
    Ok(())
}
