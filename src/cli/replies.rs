//! `hark replies …`: saved replies from the command line, and as files a team keeps in git.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};

use super::context::Context;
use super::exit::{Code, UsageError};
use super::json;
use crate::store::{SavedReply, SavedReplyDraft};
use crate::text::{fit, sanitize_line};

#[derive(Debug, Subcommand)]
pub enum RepliesCommand {
    /// List the saved replies, most used first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a saved reply.
    Add {
        #[arg(long)]
        title: String,
        /// The text; `{name}`, `{first_name}`, `{handle}`, `{agent}`, `{account}` and `{network}`
        /// are filled in on insert, `{{` writes a literal brace.
        #[arg(long, required_unless_present = "body_file")]
        body: Option<String>,
        /// Read the text from a file (`-` for standard input).
        #[arg(long, conflicts_with = "body")]
        body_file: Option<PathBuf>,
        /// A word to find it by quickly after `##`.
        #[arg(long)]
        shortcut: Option<String>,
        /// A tag (repeat for several).
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// Change a saved reply; what is not given stays as it was.
    Edit {
        id: i64,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        body: Option<String>,
        #[arg(long, conflicts_with = "body")]
        body_file: Option<PathBuf>,
        #[arg(long, conflicts_with = "no_shortcut")]
        shortcut: Option<String>,
        /// Remove the shortcut.
        #[arg(long)]
        no_shortcut: bool,
        /// Replace the tags with these (repeat for several).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Remove every tag.
        #[arg(long, conflicts_with = "tags")]
        no_tags: bool,
    },
    /// Delete a saved reply.
    Rm { id: i64 },
    /// Add or update saved replies from a TOML or JSON file (matched by shortcut, else title).
    Import {
        /// The file (`-` for standard input, with --format).
        file: PathBuf,
        /// toml or json [default: from the file's extension]
        #[arg(long)]
        format: Option<FileFormat>,
    },
    /// Write every saved reply as TOML (default) or JSON.
    Export {
        /// The file to write [default: standard output]
        file: Option<PathBuf>,
        #[arg(long)]
        format: Option<FileFormat>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    Toml,
    Json,
}

/// The file a team keeps its saved replies in.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepliesFile {
    #[serde(default)]
    pub replies: Vec<SavedReplyDraft>,
}

#[derive(Debug, Serialize)]
struct ReplyJson<'a> {
    id: i64,
    title: &'a str,
    body: &'a str,
    shortcut: Option<&'a str>,
    tags: &'a [String],
    use_count: i64,
    last_used_at: Option<String>,
}

pub fn run(context: &Context, command: RepliesCommand) -> anyhow::Result<Code> {
    let mut store = context.open_store()?;
    let now = context.clock.now_millis();
    if !matches!(
        command,
        RepliesCommand::List { .. } | RepliesCommand::Export { .. }
    ) {
        context.require_admin(&store, "change the saved replies")?;
    }
    match command {
        RepliesCommand::List { json: as_json } => {
            let replies = store.saved_replies()?;
            if as_json {
                let list: Vec<ReplyJson<'_>> = replies.iter().map(reply_json).collect();
                outln!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "format": json::FORMAT_VERSION, "replies": list })
                    )?
                )?;
            } else if replies.is_empty() {
                outln!(
                    "No saved replies yet. Add one with `hark replies add --title T --body B`."
                )?;
            } else {
                outln!("{:>5}  {}  {:>5}  TITLE", "ID", fit("SHORTCUT", 14), "USES")?;
                for reply in &replies {
                    outln!(
                        "{:>5}  {}  {:>5}  {}",
                        reply.id,
                        fit(&sanitize_line(reply.shortcut.as_deref().unwrap_or("")), 14),
                        reply.use_count,
                        sanitize_line(&reply.title)
                    )?;
                }
            }
        }
        RepliesCommand::Add {
            title,
            body,
            body_file,
            shortcut,
            tags,
        } => {
            let body = match (body, body_file) {
                (Some(body), _) => body,
                (None, Some(file)) => read_text(&file)?,
                (None, None) => return Err(UsageError("give --body or --body-file".into()).into()),
            };
            let id = store.add_saved_reply(
                &SavedReplyDraft {
                    title,
                    body,
                    shortcut,
                    tags,
                },
                now,
            )?;
            outln!("Added saved reply {id}")?;
        }
        RepliesCommand::Edit {
            id,
            title,
            body,
            body_file,
            shortcut,
            no_shortcut,
            tags,
            no_tags,
        } => {
            let old = store.saved_reply(id)?;
            let body = match (body, body_file) {
                (Some(body), _) => body,
                (None, Some(file)) => read_text(&file)?,
                (None, None) => old.body,
            };
            let draft = SavedReplyDraft {
                title: title.unwrap_or(old.title),
                body,
                shortcut: if no_shortcut {
                    None
                } else {
                    shortcut.or(old.shortcut)
                },
                tags: match (no_tags, tags.is_empty()) {
                    (true, _) => Vec::new(),
                    (false, true) => old.tags,
                    (false, false) => tags,
                },
            };
            store.update_saved_reply(id, &draft)?;
            outln!("Updated saved reply {id}")?;
        }
        RepliesCommand::Rm { id } => {
            store.delete_saved_reply(id)?;
            outln!("Deleted saved reply {id}")?;
        }
        RepliesCommand::Import { file, format } => {
            let format = format_for(&file, format)?;
            let text = read_text(&file)?;
            let parsed = parse_file(&text, format, &file)?;
            let report = store.import_saved_replies(&parsed.replies, now)?;
            outln!(
                "Imported {}: {} added, {} updated, {} unchanged",
                file.display(),
                report.added,
                report.updated,
                report.unchanged
            )?;
        }
        RepliesCommand::Export { file, format } => {
            let format = match (&file, format) {
                (_, Some(format)) => format,
                (Some(path), None) => format_for(path, None).unwrap_or(FileFormat::Toml),
                (None, None) => FileFormat::Toml,
            };
            let mut replies = store.saved_replies()?;
            // A stable order, so that the file diffs well in git.
            replies.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id)));
            let contents = RepliesFile {
                replies: replies
                    .into_iter()
                    .map(|r| SavedReplyDraft {
                        title: r.title,
                        body: r.body,
                        shortcut: r.shortcut,
                        tags: r.tags,
                    })
                    .collect(),
            };
            let text = match format {
                FileFormat::Toml => toml::to_string_pretty(&contents)?,
                FileFormat::Json => serde_json::to_string_pretty(&contents)? + "\n",
            };
            match file {
                Some(path) => {
                    std::fs::write(&path, text)
                        .map_err(|err| anyhow::anyhow!("cannot write {}: {err}", path.display()))?;
                    eprintln!(
                        "Exported {} saved replies to {}",
                        contents.replies.len(),
                        path.display()
                    );
                }
                None => out!("{text}")?,
            }
        }
    }
    Ok(Code::Ok)
}

fn reply_json(reply: &SavedReply) -> ReplyJson<'_> {
    ReplyJson {
        id: reply.id,
        title: &reply.title,
        body: &reply.body,
        shortcut: reply.shortcut.as_deref(),
        tags: &reply.tags,
        use_count: reply.use_count,
        last_used_at: json::account_time(reply.last_used_at),
    }
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
        .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))
}

fn format_for(path: &Path, given: Option<FileFormat>) -> anyhow::Result<FileFormat> {
    if let Some(format) = given {
        return Ok(format);
    }
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("toml") => Ok(FileFormat::Toml),
        Some("json") => Ok(FileFormat::Json),
        _ => Err(UsageError(format!(
            "cannot tell the format of {} from its name: add --format toml or --format json",
            path.display()
        ))
        .into()),
    }
}

/// Parses a replies file; an error names the file and the line.
pub fn parse_file(text: &str, format: FileFormat, path: &Path) -> anyhow::Result<RepliesFile> {
    match format {
        FileFormat::Toml => toml::from_str(text).map_err(|err| {
            let line = err.span().map_or(1, |span| {
                text[..span.start.min(text.len())].matches('\n').count() + 1
            });
            UsageError(format!(
                "{}, line {line}: {}",
                path.display(),
                err.message()
            ))
            .into()
        }),
        FileFormat::Json => serde_json::from_str(text).map_err(|err| {
            UsageError(format!("{}, line {}: {err}", path.display(), err.line())).into()
        }),
    }
}
