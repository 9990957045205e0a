//! `hark tags …`: the tags in use, and their colours in the inbox.

use std::str::FromStr;

use clap::Subcommand;

use super::context::Context;
use super::exit::{Code, UsageError};
use crate::text::sanitize_line;

#[derive(Debug, Subcommand)]
pub enum TagsCommand {
    /// List the tags with their colours and how many open conversations carry each.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Give a tag a colour (a name like red or light-blue, or #rrggbb); `none` takes it away.
    Colour { name: String, colour: String },
}

pub fn run(context: &Context, command: TagsCommand) -> anyhow::Result<Code> {
    let mut store = context.open_store()?;
    match command {
        TagsCommand::List { json } => {
            let counts = store.folder_counts(&context.agent)?;
            let tags = store.tags()?;
            let open_of = |id: i64| {
                counts
                    .tags
                    .iter()
                    .find(|(tag, ..)| *tag == id)
                    .map_or(0, |(.., n)| *n)
            };
            if json {
                let list: Vec<serde_json::Value> = tags
                    .iter()
                    .map(|tag| {
                        serde_json::json!({
                            "name": tag.name,
                            "colour": tag.colour,
                            "open_conversations": open_of(tag.id),
                        })
                    })
                    .collect();
                let out =
                    serde_json::json!({ "format": super::json::FORMAT_VERSION, "tags": list });
                outln!("{}", serde_json::to_string_pretty(&out)?)?;
                return Ok(Code::Ok);
            }
            if tags.is_empty() {
                outln!("No tags yet. Press t in the inbox, or let a rule tag conversations.")?;
            }
            for tag in tags {
                let open = open_of(tag.id);
                outln!(
                    "#{}  {} open  {}",
                    sanitize_line(&tag.name),
                    open,
                    tag.colour.as_deref().unwrap_or("")
                )?;
            }
        }
        TagsCommand::Colour { name, colour } => {
            context.require_admin(&store, "give tags their colours")?;
            let colour = colour.trim();
            let value = if colour.eq_ignore_ascii_case("none") {
                None
            } else {
                ratatui::style::Color::from_str(colour).map_err(|_| {
                    UsageError(format!(
                        "'{colour}' is not a colour: use a name like red, light-blue, or #rrggbb"
                    ))
                })?;
                Some(colour)
            };
            store.set_tag_colour(&name, value)?;
            outln!(
                "#{} is {}",
                name.trim_start_matches('#'),
                value.unwrap_or("without a colour")
            )?;
        }
    }
    Ok(Code::Ok)
}
