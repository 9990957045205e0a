//! `hark rules add` and `hark rules remove`: an admin's change to the config file's `[[rules]]`,
//! checked by parsing the whole new config before it replaces the old one (comments and the
//! rest of the file are kept, through toml_edit). The daemon that syncs reads its rules when it
//! starts: restart it to apply them.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

use super::context::Context;
use super::exit::{Code, NotFoundError, UsageError};
use crate::config::Config;

pub fn add(
    context: &Context,
    name: &str,
    when: &str,
    then: &[String],
    stop: bool,
) -> anyhow::Result<Code> {
    let store = context.open_store()?;
    context.require_admin(&store, "change the rules")?;
    let path = config_file(context)?;
    let mut doc = read(&path)?;
    let rules = rules_of(&mut doc)?;
    if rules
        .iter()
        .any(|rule| rule.get("name").and_then(Item::as_str) == Some(name))
    {
        return Err(UsageError(format!("there is already a rule named '{name}'")).into());
    }
    let mut rule = Table::new();
    rule.insert("name", value(name));
    rule.insert("when", value(when));
    let mut actions = Array::new();
    for action in then {
        actions.push(action.as_str());
    }
    rule.insert("then", value(actions));
    if stop {
        rule.insert("stop", value(true));
    }
    rules.push(rule);
    write_checked(&path, &doc)?;
    outln!(
        "Rule '{name}' added to {}; restart `hark sync --daemon` to apply it.",
        path.display()
    )?;
    Ok(Code::Ok)
}

pub fn remove(context: &Context, name: &str) -> anyhow::Result<Code> {
    let store = context.open_store()?;
    context.require_admin(&store, "change the rules")?;
    let path = config_file(context)?;
    let mut doc = read(&path)?;
    let rules = rules_of(&mut doc)?;
    let before = rules.len();
    rules.retain(|rule| rule.get("name").and_then(Item::as_str) != Some(name));
    if rules.len() == before {
        return Err(NotFoundError(format!("no rule named '{name}'")).into());
    }
    write_checked(&path, &doc)?;
    outln!(
        "Rule '{name}' removed from {}; restart `hark sync --daemon` to apply it.",
        path.display()
    )?;
    Ok(Code::Ok)
}

fn config_file(context: &Context) -> anyhow::Result<PathBuf> {
    context.config_file().ok_or_else(|| {
        UsageError("cannot tell where the config file is: pass --config".into()).into()
    })
}

fn read(path: &Path) -> anyhow::Result<DocumentMut> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    text.parse::<DocumentMut>()
        .with_context(|| format!("{} is not valid TOML", path.display()))
}

fn rules_of(doc: &mut DocumentMut) -> anyhow::Result<&mut ArrayOfTables> {
    let item = doc
        .entry("rules")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
    item.as_array_of_tables_mut().ok_or_else(|| {
        UsageError("`rules` in the config file is not a list of [[rules]] tables".into()).into()
    })
}

/// Writes the new config only if it reads back as a valid config (the rule's condition and
/// actions included), replacing the file in one rename so that a reader never sees half.
fn write_checked(path: &Path, doc: &DocumentMut) -> anyhow::Result<()> {
    let text = doc.to_string();
    Config::parse(&text, path)?;
    let temporary = path.with_extension("toml.new");
    std::fs::write(&temporary, &text)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(&temporary, meta.permissions())?;
    }
    std::fs::rename(&temporary, path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}
