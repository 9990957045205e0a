//! Plain-text output for people. Every piece of untrusted text is sanitised before printing.

use std::fmt::Write as _;

use crate::model::{Direction, Millis, from_millis};
use crate::store::{ConversationDetail, ConversationRow};
use crate::text::{age, fit, sanitize, sanitize_line};

/// An error and its causes on one line: "could not open …: permission denied".
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            let _ = write!(text, ": {cause}");
        }
    }
    text
}

pub fn conversation_table(rows: &[ConversationRow], now: Millis) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>6}  {}  {}  {}  {}  {:>4}  MESSAGE",
        "ID",
        fit("STATUS", 7),
        fit("ACCOUNT", 12),
        fit("KIND", 10),
        fit("FROM", 20),
        "AGE"
    );
    for row in rows {
        let from = row
            .contact_name
            .as_deref()
            .or(row.contact_handle.as_deref())
            .unwrap_or("?");
        let unread = if row.unread { "•" } else { " " };
        let _ = writeln!(
            out,
            "{:>6}{unread} {}  {}  {}  {}  {:>4}  {}",
            row.id,
            fit(row.status.as_str(), 7),
            fit(&sanitize_line(&row.account), 12),
            fit(row.kind.label(), 10),
            fit(&sanitize_line(from), 20),
            age(row.last_message_at, now),
            fit(&sanitize_line(&row.snippet), 60).trim_end(),
        );
    }
    out
}

pub fn conversation_detail(detail: &ConversationDetail) -> String {
    let row = &detail.row;
    let mut out = String::new();
    let who = match (&row.contact_name, &row.contact_handle) {
        (Some(name), Some(handle)) => {
            format!("{} (@{})", sanitize_line(name), sanitize_line(handle))
        }
        (None, Some(handle)) => format!("@{}", sanitize_line(handle)),
        (Some(name), None) => sanitize_line(name),
        (None, None) => "unknown customer".into(),
    };
    let _ = writeln!(
        out,
        "#{} · {} · {} on {} · {}",
        row.id,
        row.status,
        row.kind.label(),
        sanitize_line(&row.account),
        who
    );
    if let Some(subject) = &detail.subject {
        let _ = writeln!(out, "on: {}", sanitize_line(subject));
    }
    if !row.tags.is_empty() {
        let tags: Vec<String> = row.tags.iter().map(|t| sanitize_line(t)).collect();
        let _ = writeln!(out, "tags: {}", tags.join(", "));
    }
    for message in &detail.messages {
        let arrow = match message.direction {
            Direction::In => "◀",
            Direction::Out => "▶",
        };
        let mut marks = Vec::new();
        if message.liked {
            marks.push("♥ liked".to_string());
        }
        if let Some(delivery) = message.delivery {
            match &message.delivery_error {
                Some(error) => marks.push(format!("{delivery}: {}", sanitize_line(error))),
                None => marks.push(delivery.to_string()),
            }
        }
        let by = match &message.agent {
            Some(agent) => format!(
                "{} (by {})",
                sanitize_line(&message.author_name),
                sanitize_line(agent)
            ),
            None => sanitize_line(&message.author_name),
        };
        let when = from_millis(message.created_at).format("%Y-%m-%d %H:%M");
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!("  [{}]", marks.join(", "))
        };
        let _ = writeln!(
            out,
            "\n{arrow} {by} · {when} · message {}{marks}",
            message.id
        );
        for line in sanitize(&message.text).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

/// Whether an error is standard output closed by its reader (a broken pipe), wherever it is in
/// the chain (an I/O error, or one inside a JSON or CSV writer's error).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |kind: Option<std::io::ErrorKind>| kind == Some(std::io::ErrorKind::BrokenPipe);
    err.chain().any(|cause| {
        broken(cause.downcast_ref::<std::io::Error>().map(std::io::Error::kind))
            || broken(cause.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind))
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    })
}
