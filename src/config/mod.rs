//! The configuration file (TOML). Every option is documented in `config.example.toml`.
//! Errors name the file, the line and the key, and show the line itself.

pub mod integrations;
pub mod secrets;
pub mod theme;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

pub use integrations::{HelpScoutConfig, HookConfig, SlackConfig};
pub use secrets::{Secret, SecretError, SecretRef};

use crate::model::NetworkKind;
use crate::networks::demo::DemoSettings;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Your name as teammates see it in assignments and the events log.
    pub agent: Option<String>,
    /// The database file.
    pub database: Option<PathBuf>,
    /// Where logs are written.
    pub log_file: Option<PathBuf>,
    /// Added to every reply you send (once), where the network allows it.
    pub signature: Option<String>,
    /// Teammates to assign conversations to (besides everyone who has worked in the database).
    #[serde(default)]
    pub team: Vec<String>,
    /// Whether to use the kitty keyboard protocol (Ctrl+Enter, Cmd+Enter).
    #[serde(default)]
    pub keyboard_protocol: KeyboardProtocol,
    /// Keys for commands, replacing the defaults of each command named.
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub sync: SyncConfig,
    #[serde(default)]
    pub demo: DemoConfig,
    /// How reports count time.
    #[serde(default)]
    pub reports: ReportsConfig,
    /// Response-time targets: how long a customer may wait for a reply.
    #[serde(default)]
    pub sla: SlaConfig,
    #[serde(default)]
    pub accounts: Vec<Spanned<AccountConfig>>,
    /// Triage rules, in the order they run.
    #[serde(default)]
    pub rules: Vec<Spanned<RuleConfig>>,
    /// Slack incoming webhooks that announce events.
    #[serde(default)]
    pub slack: Vec<Spanned<SlackConfig>>,
    /// Commands run on events.
    #[serde(default)]
    pub hooks: Vec<Spanned<HookConfig>>,
    /// Help Scout Docs, searched from the composer.
    pub helpscout: Option<Spanned<HelpScoutConfig>>,
    /// Colours.
    #[serde(default)]
    pub theme: theme::ThemeConfig,
    /// How the inbox calls for attention when new conversations come or one is assigned to you.
    #[serde(default)]
    pub notify: NotifyConfig,
    /// The rules, parsed (filled in by `parse`).
    #[serde(skip)]
    pub rule_set: crate::rules::RuleSet,
}

/// Response-time targets as written: "60m", "4h", "1d", "1h30m".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaConfig {
    /// For every conversation.
    pub default: Option<String>,
    /// By network name (x, facebook, …).
    #[serde(default)]
    pub networks: std::collections::BTreeMap<String, String>,
    /// By tag name.
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
}

impl SlaConfig {
    pub fn targets(&self) -> Result<crate::model::SlaTargets, String> {
        let mut targets = crate::model::SlaTargets {
            default: self.default.as_deref().map(span_millis).transpose()?,
            ..Default::default()
        };
        for (network, span) in &self.networks {
            let kind: NetworkKind = network
                .parse()
                .map_err(|_| format!("[sla.networks] '{network}' is not a network hark knows"))?;
            targets.networks.insert(kind, span_millis(span)?);
        }
        for (tag, span) in &self.tags {
            targets.tags.insert(tag.to_lowercase(), span_millis(span)?);
        }
        Ok(targets)
    }
}

/// "90m", "4h", "1d", "1h30m" (or a bare number of minutes) in milliseconds.
fn span_millis(text: &str) -> Result<crate::model::Millis, String> {
    let bad = || format!("'{text}' is not a duration like 60m, 4h, 1d or 1h30m");
    let text = text.trim();
    if let Ok(minutes) = text.parse::<i64>() {
        return if minutes > 0 {
            Ok(minutes * 60_000)
        } else {
            Err(bad())
        };
    }
    let mut total = 0i64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = number.parse().map_err(|_| bad())?;
        number.clear();
        total += n * match c {
            'd' => 24 * 60 * 60_000,
            'h' => 60 * 60_000,
            'm' => 60_000,
            _ => return Err(bad()),
        };
    }
    if !number.is_empty() || total <= 0 {
        return Err(bad());
    }
    Ok(total)
}

/// How reports count time.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportsConfig {
    /// Count response and resolution times only within these hours, e.g.
    /// "Mon-Fri 09:00-17:00". Default: all the time.
    pub business_hours: Option<Spanned<String>>,
    /// The team's time zone (an IANA name like "Europe/Madrid"), for business hours and the
    /// days of the volume chart. Default: UTC.
    pub time_zone: Option<String>,
}

impl ReportsConfig {
    /// The business hours, checked (their errors are reported when the config is read).
    pub fn hours(&self) -> Result<Option<crate::reports::BusinessHours>, String> {
        match &self.business_hours {
            Some(text) => crate::reports::BusinessHours::parse(
                text.get_ref(),
                self.time_zone.as_deref().unwrap_or("UTC"),
            )
            .map(Some),
            None => Ok(None),
        }
    }

    /// The time zone's offset from UTC now, in minutes (for cutting days).
    pub fn utc_offset_minutes(&self, at: crate::model::Millis) -> i32 {
        use chrono::Offset;
        let zone: chrono_tz::Tz = self
            .time_zone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        crate::model::from_millis(at)
            .with_timezone(&zone)
            .offset()
            .fix()
            .local_minus_utc()
            / 60
    }
}

/// A rule as written in the config: `when` a condition, `then` actions.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub name: String,
    pub when: Spanned<String>,
    pub then: Vec<Spanned<String>>,
    /// Matching this rule stops the rules after it.
    #[serde(default)]
    pub stop: bool,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

/// `auto` asks the terminal; `on` and `off` skip the question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyboardProtocol {
    #[default]
    Auto,
    On,
    Off,
}

/// `[notify]`: the terminal bell, and a desktop notification through the terminal (OSC 9:
/// iTerm2, kitty, WezTerm, foot, Windows Terminal…), both off unless asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    #[serde(default)]
    pub bell: bool,
    #[serde(default)]
    pub desktop: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// Seconds between two fetches of an account, unless the account sets its own.
    #[serde(default = "default_interval")]
    pub interval_secs: u64,
}

fn default_interval() -> u64 {
    60
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            interval_secs: default_interval(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemoConfig {
    pub seed: u64,
    pub conversations: usize,
    pub reply_back_chance: f64,
    pub reply_back_after_secs: u64,
    /// 0 turns the trickle of new conversations off.
    pub new_conversation_every_secs: u64,
}

impl Default for DemoConfig {
    fn default() -> Self {
        let settings = DemoSettings::default();
        DemoConfig {
            seed: settings.seed,
            conversations: settings.conversations,
            reply_back_chance: settings.reply_back_chance,
            reply_back_after_secs: settings.reply_back_after.as_secs(),
            new_conversation_every_secs: settings
                .new_conversation_every
                .map_or(0, |every| every.as_secs()),
        }
    }
}

impl DemoConfig {
    pub fn settings(&self) -> DemoSettings {
        DemoSettings {
            seed: self.seed,
            conversations: self.conversations,
            reply_back_chance: self.reply_back_chance,
            reply_back_after: Duration::from_secs(self.reply_back_after_secs),
            new_conversation_every: (self.new_conversation_every_secs > 0)
                .then(|| Duration::from_secs(self.new_conversation_every_secs)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// The name hark knows the account by (in commands and folders).
    pub name: String,
    pub network: NetworkKind,
    /// The account's handle on the network, e.g. "@brand@mastodon.social".
    pub handle: Option<String>,
    /// Mastodon: the server's address, e.g. "https://mastodon.social" (any http(s) URL).
    pub instance: Option<String>,
    /// Bluesky: the PDS or entryway to sign in at. Default: https://bsky.social.
    pub service: Option<String>,
    /// Bluesky and X: sync direct messages (Bluesky: the app password must be allowed to reach
    /// them; X: the dm.read scope).
    #[serde(default = "enabled_by_default")]
    pub dms: bool,
    /// Bluesky: the chat service the PDS passes DMs to. Default: did:web:api.bsky.chat#bsky_chat.
    pub chat_service: Option<String>,
    /// Mastodon: closing a mention in hark dismisses its notifications on the server.
    #[serde(default)]
    pub dismiss_on_close: bool,
    /// Facebook and Instagram: the Page's id (its access token is a Page access token; an
    /// Instagram account's DMs go through its linked Page).
    pub page_id: Option<String>,
    /// Instagram: the professional account's id (`instagram_business_account` of the Page).
    pub ig_user_id: Option<String>,
    /// Instagram: the ad account ("act_…" or its number) whose ads' Instagram media are read for
    /// comments on ads (they are not among the account's media). Needs `ads_read`.
    pub ad_account_id: Option<String>,
    /// Facebook and Instagram: the Graph API's address. Default: https://graph.facebook.com.
    /// X: the API's address. Default: https://api.x.com.
    pub api_base: Option<String>,
    /// X: the OAuth 2.0 client id of the X app hark signs in through (refreshes the session).
    pub client_id: Option<String>,
    /// X: the environment variable holding that app's client secret, for a confidential
    /// ("Web App") client; a native app has none.
    pub client_secret_env: Option<String>,
    /// X: search queries followed beyond mentions (keywords, "phrases", #hashtags, X search
    /// operators), each hit a conversation of the "search" kind.
    #[serde(default)]
    pub searches: Vec<String>,
    /// Facebook and Instagram: the Graph API version, e.g. "v21.0".
    pub graph_version: Option<String>,
    /// Facebook and Instagram: answer messages up to 7 days old with the HUMAN_AGENT tag (the
    /// app needs Meta's Human Agent feature). Default: false (24 hours).
    #[serde(default)]
    pub human_agent: bool,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Seconds between two fetches of this account.
    pub sync_interval_secs: Option<u64>,
    /// Replies from this account carry this signature instead of the agent's.
    pub signature: Option<String>,
    pub token_env: Option<String>,
    pub token_cmd: Option<String>,
    pub token_file: Option<PathBuf>,
}

fn enabled_by_default() -> bool {
    true
}

impl AccountConfig {
    /// The one place the account's secret is said to be, if any.
    pub fn secret(&self) -> Option<SecretRef> {
        if let Some(var) = &self.token_env {
            return Some(SecretRef::Env(var.clone()));
        }
        if let Some(command) = &self.token_cmd {
            return Some(SecretRef::Command(command.clone()));
        }
        self.token_file
            .as_ref()
            .map(|path| SecretRef::File(expand_home(path)))
    }

    pub fn sync_interval(&self, config: &Config) -> Duration {
        Duration::from_secs(
            self.sync_interval_secs
                .unwrap_or(config.sync.interval_secs)
                .max(1),
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", located(path, *line, *column, line_text, message))]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        line_text: String,
        message: String,
    },
}

fn located(path: &Path, line: usize, column: usize, text: &str, message: &str) -> String {
    let key = text
        .split_once('=')
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && !key.starts_with('['));
    let key = key.map(|key| format!(" (key `{key}`)")).unwrap_or_default();
    format!(
        "config error in {}, line {line}, column {column}{key}:\n  {line} | {}\n  {message}",
        path.display(),
        text.trim_end()
    )
}

impl Config {
    /// Reads and checks the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|err| {
            let offset = err.span().map_or(0, |span| span.start);
            invalid(text, path, offset, err.message().to_owned())
        })?;
        config.validate(text, path)?;
        config.rule_set = build_rules(&config.rules, text, path)?;
        Ok(config)
    }

    fn validate(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        if let Err(message) = self.sla.targets() {
            return Err(invalid(text, path, 0, message));
        }
        if let Some(zone) = &self.reports.time_zone
            && zone.parse::<chrono_tz::Tz>().is_err()
        {
            return Err(invalid(
                text,
                path,
                0,
                format!("[reports] time_zone '{zone}' is not a time zone name like Europe/Madrid"),
            ));
        }
        if let Err(message) = self.reports.hours() {
            let at = self
                .reports
                .business_hours
                .as_ref()
                .map_or(0, |s| s.span().start);
            return Err(invalid(text, path, at, message));
        }
        let mut names = std::collections::HashSet::new();
        for spanned in &self.accounts {
            let account = spanned.get_ref();
            let at = spanned.span().start;
            let fail = |message: String| Err(invalid(text, path, at, message));
            if account.name.is_empty()
                || !account
                    .name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                return fail(format!(
                    "account name '{}' must be letters, digits, '-', '_' or '.'",
                    account.name
                ));
            }
            if !names.insert(account.name.clone()) {
                return fail(format!("two accounts are named '{}'", account.name));
            }
            let secrets = [
                account.token_env.is_some(),
                account.token_cmd.is_some(),
                account.token_file.is_some(),
            ];
            if secrets.iter().filter(|set| **set).count() > 1 {
                return fail(format!(
                    "account '{}' names its token in more than one way; keep one of token_env, token_cmd, token_file",
                    account.name
                ));
            }
            if account.network == NetworkKind::Mastodon {
                if account.instance.is_none() {
                    return fail(format!(
                        "account '{}' is on Mastodon and needs `instance = \"https://your.server\"`",
                        account.name
                    ));
                }
                if account.secret().is_none() {
                    return fail(format!(
                        "account '{}' needs its access token: token_env, token_cmd or token_file (`hark accounts add mastodon` sets one up)",
                        account.name
                    ));
                }
            }
            if account.network == NetworkKind::Bluesky {
                if account.handle.is_none() {
                    return fail(format!(
                        "account '{}' is on Bluesky and needs `handle = \"brand.bsky.social\"`",
                        account.name
                    ));
                }
                if account.secret().is_none() {
                    return fail(format!(
                        "account '{}' needs its app password: token_env, token_cmd or token_file",
                        account.name
                    ));
                }
            }
            if account.network == NetworkKind::Instagram
                && (account.page_id.is_none() || account.ig_user_id.is_none())
            {
                return fail(format!(
                    "account '{}' is on Instagram and needs `ig_user_id` (the professional account) and `page_id` (its linked Page)",
                    account.name
                ));
            }
            if account.network == NetworkKind::Instagram && account.secret().is_none() {
                return fail(format!(
                    "account '{}' needs the linked Page's access token: token_env, token_cmd or token_file",
                    account.name
                ));
            }
            if account.network == NetworkKind::X
                && account.client_id.is_none()
                && account.secret().is_none()
            {
                return fail(format!(
                    "account '{}' is on X and needs `client_id` (sign in with `hark accounts add x`) or a user access token: token_env, token_cmd or token_file",
                    account.name
                ));
            }
            if let Some(query) = account.searches.iter().find(|q| q.chars().count() > 512) {
                return fail(format!(
                    "account '{}': the search \"{}…\" is longer than X's 512 characters",
                    account.name,
                    query.chars().take(40).collect::<String>()
                ));
            }
            if account.network == NetworkKind::Facebook {
                if account.page_id.is_none() {
                    return fail(format!(
                        "account '{}' is on Facebook and needs `page_id = \"…\"` (the Page's id)",
                        account.name
                    ));
                }
                if account.secret().is_none() {
                    return fail(format!(
                        "account '{}' needs its Page access token: token_env, token_cmd or token_file",
                        account.name
                    ));
                }
            }
            if account.network == NetworkKind::Demo && account.instance.is_some() {
                return fail(format!(
                    "account '{}' is on the demo network, which has no instance",
                    account.name
                ));
            }
            if account.network == NetworkKind::Demo && account.secret().is_some() {
                return fail(format!(
                    "account '{}' is on the demo network, which needs no token; remove the token_* key",
                    account.name
                ));
            }
        }
        if let Err((at, message)) =
            integrations::validate(&self.slack, &self.hooks, self.helpscout.as_ref())
        {
            return Err(invalid(text, path, at, message));
        }
        if let Err(message) = self.theme.theme(&|_| None) {
            let at = text.find("[theme]").unwrap_or(0);
            return Err(invalid(text, path, at, message));
        }
        if let Err(err) = crate::app::keymap::Keymap::with_overrides(&self.keys) {
            let at = text.find("[keys]").unwrap_or(0);
            return Err(invalid(text, path, at, err.to_string()));
        }
        if !(0.0..=1.0).contains(&self.demo.reply_back_chance) {
            let at = text.find("reply_back_chance").unwrap_or(0);
            return Err(invalid(
                text,
                path,
                at,
                format!(
                    "reply_back_chance is {}; it must be between 0.0 and 1.0",
                    self.demo.reply_back_chance
                ),
            ));
        }
        Ok(())
    }

    /// The agent's name: from the config, else the Unix user.
    pub fn agent_name(&self) -> String {
        self.agent
            .clone()
            .filter(|name| !name.trim().is_empty())
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("LOGNAME").ok())
            .unwrap_or_else(|| "me".into())
    }

    pub fn accounts(&self) -> impl Iterator<Item = &AccountConfig> {
        self.accounts.iter().map(Spanned::get_ref)
    }
}

/// Parses every enabled rule; an error points at the place in the file where it is.
fn build_rules(
    rules: &[Spanned<RuleConfig>],
    text: &str,
    path: &Path,
) -> Result<crate::rules::RuleSet, ConfigError> {
    let mut set = crate::rules::RuleSet::default();
    for spanned in rules {
        let rule = spanned.get_ref();
        if !rule.enabled {
            continue;
        }
        let when = rule.when.get_ref();
        let condition = crate::rules::parse_condition(when).map_err(|err| {
            // The span covers the quoted string: step over the quote, then to the character.
            let start = rule.when.span().start + 1;
            let byte = when
                .char_indices()
                .nth(err.position)
                .map_or(when.len(), |(i, _)| i);
            invalid(
                text,
                path,
                start + byte,
                format!("rule '{}': {}", rule.name, err.message),
            )
        })?;
        let mut actions = Vec::new();
        for action in &rule.then {
            actions.push(
                crate::rules::parse_action(action.get_ref()).map_err(|message| {
                    invalid(
                        text,
                        path,
                        action.span().start,
                        format!("rule '{}': {message}", rule.name),
                    )
                })?,
            );
        }
        if actions.is_empty() {
            return Err(invalid(
                text,
                path,
                spanned.span().start,
                format!("rule '{}' has no actions in `then`", rule.name),
            ));
        }
        set.rules.push(crate::rules::Rule {
            name: rule.name.clone(),
            when: when.clone(),
            condition,
            actions,
            stop: rule.stop,
        });
    }
    Ok(set)
}

fn invalid(text: &str, path: &Path, offset: usize, message: String) -> ConfigError {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let line_text = text[line_start..].lines().next().unwrap_or("").to_owned();
    ConfigError::Invalid {
        path: path.to_owned(),
        line,
        column,
        line_text,
        message,
    }
}

/// `~/x` means x in the home folder, as in a shell.
pub fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_owned(),
    }
}

/// Where hark keeps its files by default on this platform.
pub struct Paths {
    pub config_file: Option<PathBuf>,
    pub database: Option<PathBuf>,
    pub log_dir: Option<PathBuf>,
}

impl Paths {
    pub fn platform() -> Paths {
        let dirs = directories::ProjectDirs::from("", "", "hark");
        Paths {
            config_file: dirs.as_ref().map(|d| d.config_dir().join("config.toml")),
            database: dirs.as_ref().map(|d| d.data_dir().join("hark.db")),
            log_dir: dirs
                .as_ref()
                .map(|d| d.state_dir().unwrap_or(d.cache_dir()).to_path_buf()),
        }
    }
}

#[cfg(test)]
mod tests;
