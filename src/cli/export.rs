//! `hark export`: conversations with their messages, tags and notes, as JSON (one document,
//! the same shapes as `conversations show --json`) or CSV (one row per message and per note).
//! Written as it is read, so a million messages never sit in memory at once.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::context::Context;
use super::exit::Code;
use super::json;
use crate::store::{ConversationDetail, Note, PageCursor, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which conversations: all, or a folder (open, mine, unassigned, snoozed, closed,
    /// searches, overdue, tag:NAME, account:NAME).
    #[arg(long, short, default_value = "all")]
    pub folder: String,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// One conversation as exported: its list row, its thread and its internal notes.
#[derive(Serialize)]
struct Exported {
    #[serde(flatten)]
    conversation: json::Conversation,
    subject: Option<String>,
    root_remote_id: String,
    created_at: String,
    closed_at: Option<String>,
    messages: Vec<json::Message>,
    notes: Vec<ExportedNote>,
}

#[derive(Serialize)]
struct ExportedNote {
    id: i64,
    author: String,
    body: String,
    created_at: String,
}

pub fn run(context: &Context, args: &ExportArgs) -> anyhow::Result<Code> {
    let store = context.open_store()?;
    let ids = conversation_ids(&store, context, &args.folder)?;
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let written = match args.format {
        Format::Json => write_json(&store, &ids, out),
        Format::Csv => write_csv(&store, &ids, out),
    };
    written?;
    if let Some(path) = &args.output {
        eprintln!(
            "exported {} conversation(s) to {}",
            ids.len(),
            path.display()
        );
    }
    Ok(Code::Ok)
}

/// The conversations to export, newest first.
fn conversation_ids(store: &Store, context: &Context, folder: &str) -> anyhow::Result<Vec<i64>> {
    if folder == "all" {
        return Ok(store.all_conversation_ids()?);
    }
    let folder = super::commands::parse_folder(store, folder, &context.agent)?;
    let mut ids = Vec::new();
    let mut after = PageCursor::START;
    loop {
        let page = store.folder_page(&folder, after, 1000)?;
        let Some(last) = page.last() else {
            return Ok(ids);
        };
        after = last.cursor();
        ids.extend(page.iter().map(|row| row.id));
    }
}

fn exported(store: &Store, id: i64) -> anyhow::Result<Exported> {
    let detail: ConversationDetail = store.conversation(id)?;
    let notes: Vec<Note> = store.notes(id)?;
    Ok(Exported {
        conversation: json::Conversation::from(&detail.row),
        subject: detail.subject,
        root_remote_id: detail.root_remote_id,
        created_at: json::time(detail.created_at),
        closed_at: detail.closed_at.map(json::time),
        messages: detail.messages.iter().map(json::Message::from).collect(),
        notes: notes
            .into_iter()
            .map(|note| ExportedNote {
                id: note.id,
                author: note.author,
                body: note.body,
                created_at: json::time(note.created_at),
            })
            .collect(),
    })
}

fn write_json(store: &Store, ids: &[i64], mut out: Box<dyn Write>) -> anyhow::Result<()> {
    write!(
        out,
        "{{\"format\":{},\"exported_at\":{},\"conversations\":[",
        json::FORMAT_VERSION,
        serde_json::to_string(&json::time(crate::model::to_millis(chrono::Utc::now())))?
    )?;
    for (n, &id) in ids.iter().enumerate() {
        if n > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut out, &exported(store, id)?)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()?;
    Ok(())
}

const CSV_HEADER: [&str; 17] = [
    "record",
    "conversation_id",
    "account",
    "network",
    "kind",
    "status",
    "assignee",
    "tags",
    "customer_handle",
    "customer_name",
    "id",
    "remote_id",
    "direction",
    "author",
    "agent",
    "created_at",
    "text",
];

fn write_csv(store: &Store, ids: &[i64], out: Box<dyn Write>) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(CSV_HEADER)?;
    for &id in ids {
        let e = exported(store, id)?;
        let c = &e.conversation;
        let tags = c.tags.join(";");
        let conversation = |record: &'static str| -> Vec<String> {
            vec![
                record.to_owned(),
                c.id.to_string(),
                c.account.clone(),
                c.network.to_owned(),
                c.kind.to_owned(),
                c.status.to_owned(),
                c.assignee.clone().unwrap_or_default(),
                tags.clone(),
                c.customer.handle.clone().unwrap_or_default(),
                c.customer.name.clone().unwrap_or_default(),
            ]
        };
        for m in &e.messages {
            let mut row = conversation("message");
            row.extend([
                m.id.to_string(),
                m.remote_id.clone().unwrap_or_default(),
                m.direction.to_owned(),
                m.author.clone(),
                m.agent.clone().unwrap_or_default(),
                m.created_at.clone(),
                m.text.clone(),
            ]);
            csv.write_record(&row)?;
        }
        for note in &e.notes {
            let mut row = conversation("note");
            row.extend([
                note.id.to_string(),
                String::new(),
                "note".to_owned(),
                note.author.clone(),
                note.author.clone(),
                note.created_at.clone(),
                note.body.clone(),
            ]);
            csv.write_record(&row)?;
        }
    }
    csv.flush()?;
    Ok(())
}
