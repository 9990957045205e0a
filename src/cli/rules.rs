//! `hark rules …`: list the config's rules, and dry-run them over the cached history.

use std::collections::{BTreeMap, BTreeSet};

use clap::Subcommand;
use serde::Serialize;

use super::context::Context;
use super::exit::Code;
use super::json;
use crate::rules::{RuleAction, Subject};
use crate::text::{sanitize_line, truncate};

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules in the order they run.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Run the rules over every cached customer message and print what each would have done.
    /// Nothing is changed.
    Test {
        /// List every match, not just a few examples per rule.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Add a rule at the end of the config file's rules (an admin's task).
    Add {
        name: String,
        /// The condition, e.g. "contains refund and network is mastodon".
        #[arg(long)]
        when: String,
        /// An action, e.g. "tag Refund" or "priority urgent"; repeat for several.
        #[arg(long = "then", required = true)]
        then: Vec<String>,
        /// Stop: no later rule runs on a message this one matched.
        #[arg(long)]
        stop: bool,
    },
    /// Remove a rule by name (an admin's task).
    Remove { name: String },
}

#[derive(Debug, Serialize)]
struct RuleJson {
    name: String,
    when: String,
    then: Vec<RuleAction>,
    stop: bool,
}

#[derive(Debug, Default, Serialize)]
struct Outcome {
    matched_messages: usize,
    conversations: BTreeSet<i64>,
    #[serde(skip)]
    examples: Vec<(i64, String)>,
}

pub fn run(context: &Context, command: RulesCommand) -> anyhow::Result<Code> {
    let rules = &context.config.rule_set;
    match command {
        RulesCommand::Add {
            name,
            when,
            then,
            stop,
        } => return super::rules_edit::add(context, &name, &when, &then, stop),
        RulesCommand::Remove { name } => return super::rules_edit::remove(context, &name),
        RulesCommand::List { json: as_json } => {
            if as_json {
                let list: Vec<RuleJson> = rules
                    .rules
                    .iter()
                    .map(|r| RuleJson {
                        name: r.name.clone(),
                        when: r.when.clone(),
                        then: r.actions.clone(),
                        stop: r.stop,
                    })
                    .collect();
                outln!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "format": json::FORMAT_VERSION, "rules": list })
                    )?
                )?;
            } else if rules.is_empty() {
                outln!("No rules. Add [[rules]] to the config file (see config.example.toml).")?;
            } else {
                for (index, rule) in rules.rules.iter().enumerate() {
                    let actions: Vec<String> =
                        rule.actions.iter().map(ToString::to_string).collect();
                    let stop = if rule.stop { " (then stop)" } else { "" };
                    outln!(
                        "{}. {}\n   when {}\n   then {}{stop}",
                        index + 1,
                        rule.name,
                        rule.when,
                        actions.join(", ")
                    )?;
                }
            }
        }
        RulesCommand::Test { all, json: as_json } => {
            let store = context.open_store()?;
            let mut outcomes: BTreeMap<usize, Outcome> = BTreeMap::new();
            let mut touched = BTreeSet::new();
            let checked = store.each_inbound_message(|message| {
                let language = message
                    .language
                    .as_deref()
                    .and_then(whatlang::Lang::from_code)
                    .or_else(|| crate::rules::text::detect_language(&message.text));
                let subject = Subject {
                    text: &message.text,
                    kind: message.kind,
                    network: message.network,
                    account: &message.account,
                    language,
                    sentiment: crate::sentiment::of(&message.text),
                    author_vip: message.author_vip,
                };
                for hit in rules.evaluate(&subject) {
                    let index = rules
                        .rules
                        .iter()
                        .position(|r| r.name == hit.rule)
                        .unwrap_or(0);
                    let outcome = outcomes.entry(index).or_default();
                    outcome.matched_messages += 1;
                    outcome.conversations.insert(message.conversation_id);
                    touched.insert(message.conversation_id);
                    if all || outcome.examples.len() < 3 {
                        outcome
                            .examples
                            .push((message.conversation_id, message.text.clone()));
                    }
                }
            })?;
            if as_json {
                let report: Vec<serde_json::Value> = rules
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(i, rule)| {
                        let outcome = outcomes.remove(&i).unwrap_or_default();
                        serde_json::json!({
                            "name": rule.name,
                            "then": rule.actions,
                            "matched_messages": outcome.matched_messages,
                            "conversations": outcome.conversations,
                        })
                    })
                    .collect();
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "format": json::FORMAT_VERSION,
                        "messages_checked": checked,
                        "conversations_touched": touched.len(),
                        "rules": report,
                    }))?
                )?;
                return Ok(Code::Ok);
            }
            outln!(
                "Dry run of {} rules over {checked} cached customer messages (nothing is changed):",
                rules.rules.len()
            )?;
            for (index, rule) in rules.rules.iter().enumerate() {
                let outcome = outcomes.remove(&index).unwrap_or_default();
                let actions: Vec<String> = rule.actions.iter().map(ToString::to_string).collect();
                outln!(
                    "\n{}. {} — when {}\n   {} message{} in {} conversation{} → {}",
                    index + 1,
                    rule.name,
                    rule.when,
                    outcome.matched_messages,
                    if outcome.matched_messages == 1 {
                        ""
                    } else {
                        "s"
                    },
                    outcome.conversations.len(),
                    if outcome.conversations.len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    actions.join(", ")
                )?;
                for (conversation, text) in &outcome.examples {
                    outln!("   #{conversation}: {}", truncate(&sanitize_line(text), 70))?;
                }
            }
            outln!(
                "\n{} conversations would be touched by at least one rule.",
                touched.len()
            )?;
        }
    }
    Ok(Code::Ok)
}
