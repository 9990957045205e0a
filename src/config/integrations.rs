//! The integrations' sections of the config: Slack webhooks (`[[slack]]`), Help Scout Docs
//! (`[helpscout]`) and hooks (`[[hooks]]`). Their secrets are references, like the accounts'.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::expand_home;
use super::secrets::SecretRef;

/// Events an integration can follow, as written in the config.
pub const EVENTS: [&str; 5] = [
    "new_conversation",
    "assigned",
    "sla_breached",
    "reply_sent",
    "closed",
];

/// One Slack incoming webhook and what it announces.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// Names the webhook in `hark doctor` and the status bar. Default: "slack".
    #[serde(default = "default_slack_name")]
    pub name: String,
    /// The webhook URL is a secret (anyone holding it can post): name where it lives.
    pub webhook_env: Option<String>,
    pub webhook_cmd: Option<String>,
    pub webhook_file: Option<PathBuf>,
    /// Default: new_conversation, assigned, sla_breached.
    #[serde(default = "default_slack_events")]
    pub events: Vec<Spanned<String>>,
    /// Announce a new conversation only when the rules tagged it with one of these…
    #[serde(default)]
    pub tags: Vec<String>,
    /// …or one of these rules matched it.
    #[serde(default)]
    pub rules: Vec<String>,
    /// New conversations that started longer ago than this are history (a first sync) and are
    /// not announced. Default: 60.
    #[serde(default = "default_max_age_minutes")]
    pub max_age_minutes: u64,
}

/// A command run on events, the event as JSON on its standard input.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookConfig {
    /// Names the hook in `hark doctor` and the status bar. Default: the command.
    pub name: Option<String>,
    /// Run with `sh -c`.
    pub command: String,
    /// Default: all of new_conversation, reply_sent, assigned, closed, sla_breached.
    #[serde(default = "default_hook_events")]
    pub events: Vec<Spanned<String>>,
    /// The hook is stopped after this long and reported as failed. Default: 10.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// New conversations that started longer ago than this are history (a first sync) and do
    /// not run the hook. Default: 60.
    #[serde(default = "default_max_age_minutes")]
    pub max_age_minutes: u64,
}

/// Help Scout Docs, searched from the composer with `??`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelpScoutConfig {
    /// The Docs API key (each Help Scout user has one), by reference.
    pub api_key_env: Option<String>,
    pub api_key_cmd: Option<String>,
    pub api_key_file: Option<PathBuf>,
    /// Default: https://docsapi.helpscout.net
    pub api_base: Option<String>,
    /// Search only this Docs site, or only this collection.
    pub site_id: Option<String>,
    pub collection_id: Option<String>,
    /// Search results are reused for this long before asking again. Default: 60.
    #[serde(default = "default_cache_minutes")]
    pub cache_minutes: u64,
}

fn default_slack_name() -> String {
    "slack".into()
}

fn spanned_all(names: &[&str]) -> Vec<Spanned<String>> {
    names
        .iter()
        .map(|name| Spanned::new(0..0, (*name).to_owned()))
        .collect()
}

fn default_slack_events() -> Vec<Spanned<String>> {
    spanned_all(&EVENTS[..3])
}

fn default_hook_events() -> Vec<Spanned<String>> {
    spanned_all(&EVENTS)
}

fn default_max_age_minutes() -> u64 {
    60
}

fn default_timeout_secs() -> u64 {
    10
}

fn default_cache_minutes() -> u64 {
    60
}

fn one_secret(
    what: &str,
    env: &Option<String>,
    cmd: &Option<String>,
    file: &Option<PathBuf>,
    keys: &str,
) -> Result<SecretRef, String> {
    let set = [env.is_some(), cmd.is_some(), file.is_some()];
    match set.iter().filter(|s| **s).count() {
        0 => Err(format!("{what} needs {keys}")),
        1 => Ok(if let Some(var) = env {
            SecretRef::Env(var.clone())
        } else if let Some(command) = cmd {
            SecretRef::Command(command.clone())
        } else {
            SecretRef::File(expand_home(file.as_deref().unwrap_or_else(|| "".as_ref())))
        }),
        _ => Err(format!(
            "{what} names its secret in more than one way; keep one of {keys}"
        )),
    }
}

impl SlackConfig {
    /// "slack:NAME", the channel its notifications are queued under.
    pub fn channel(&self) -> String {
        format!("slack:{}", self.name)
    }

    pub fn webhook(&self) -> Result<SecretRef, String> {
        one_secret(
            &format!("[[slack]] '{}'", self.name),
            &self.webhook_env,
            &self.webhook_cmd,
            &self.webhook_file,
            "webhook_env, webhook_cmd or webhook_file (the incoming webhook's URL)",
        )
    }

    pub fn event_names(&self) -> Vec<String> {
        self.events.iter().map(|e| e.get_ref().clone()).collect()
    }

    pub fn max_age(&self) -> Duration {
        Duration::from_secs(self.max_age_minutes.saturating_mul(60))
    }
}

impl HookConfig {
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.command.clone())
    }

    pub fn channel(&self) -> String {
        format!("hook:{}", self.display_name())
    }

    pub fn event_names(&self) -> Vec<String> {
        self.events.iter().map(|e| e.get_ref().clone()).collect()
    }

    pub fn max_age(&self) -> Duration {
        Duration::from_secs(self.max_age_minutes.saturating_mul(60))
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }
}

impl HelpScoutConfig {
    pub fn api_key(&self) -> Result<SecretRef, String> {
        one_secret(
            "[helpscout]",
            &self.api_key_env,
            &self.api_key_cmd,
            &self.api_key_file,
            "api_key_env, api_key_cmd or api_key_file (the Docs API key)",
        )
    }

    pub fn base(&self) -> &str {
        self.api_base
            .as_deref()
            .unwrap_or("https://docsapi.helpscout.net")
            .trim_end_matches('/')
    }

    pub fn cache_for(&self) -> Duration {
        Duration::from_secs(self.cache_minutes.saturating_mul(60))
    }
}

/// Checks the integrations' sections; answers the message and where in the file it points.
pub fn validate(
    slack: &[Spanned<SlackConfig>],
    hooks: &[Spanned<HookConfig>],
    helpscout: Option<&Spanned<HelpScoutConfig>>,
) -> Result<(), (usize, String)> {
    let unknown_event = |events: &[Spanned<String>], at: usize| -> Result<(), (usize, String)> {
        match events
            .iter()
            .find(|e| !EVENTS.contains(&e.get_ref().as_str()))
        {
            Some(event) => Err((
                if event.span().start > 0 {
                    event.span().start
                } else {
                    at
                },
                format!(
                    "unknown event '{}'; events are {}",
                    event.get_ref(),
                    EVENTS.join(", ")
                ),
            )),
            None => Ok(()),
        }
    };
    let mut channels = std::collections::HashSet::new();
    for spanned in slack {
        let at = spanned.span().start;
        let hook = spanned.get_ref();
        hook.webhook().map_err(|message| (at, message))?;
        unknown_event(&hook.events, at)?;
        if !channels.insert(hook.channel()) {
            return Err((
                at,
                format!(
                    "two [[slack]] webhooks are named '{}'; give each a `name`",
                    hook.name
                ),
            ));
        }
    }
    for spanned in hooks {
        let at = spanned.span().start;
        let hook = spanned.get_ref();
        if hook.command.trim().is_empty() {
            return Err((at, "a hook needs a `command` to run".into()));
        }
        unknown_event(&hook.events, at)?;
        if !channels.insert(hook.channel()) {
            return Err((
                at,
                format!(
                    "two hooks are named '{}'; give each a `name`",
                    hook.display_name()
                ),
            ));
        }
    }
    if let Some(spanned) = helpscout {
        let at = spanned.span().start;
        let docs = spanned.get_ref();
        docs.api_key().map_err(|message| (at, message))?;
        if let Some(base) = &docs.api_base
            && !(base.starts_with("https://") || base.starts_with("http://"))
        {
            return Err((
                at,
                format!("[helpscout] api_base '{base}' must be an http(s) URL"),
            ));
        }
    }
    Ok(())
}
