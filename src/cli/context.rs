//! What every command needs: the config, the database, the agent's name, logging, and the
//! accounts with a connection to their network.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::Layer as _;

use super::GlobalArgs;
use crate::clock::{SharedClock, SystemClock};
use crate::config::{AccountConfig, Config, Paths, expand_home};
use crate::model::NetworkKind;
use crate::networks::Network;
use crate::networks::demo::{self, DemoNetwork};
use crate::networks::graph::{self, client::GraphClient};
use crate::networks::{bluesky, facebook, instagram, mastodon, x};
use crate::store::{NewAccount, Store};
use crate::sync::SyncAccount;

/// The name of the account `--demo` adds.
pub const DEMO_ACCOUNT: &str = "demo";

pub struct Context {
    pub config: Config,
    /// The config file named on the command line (or in HARK_CONFIG), if any.
    pub config_path: Option<PathBuf>,
    pub db_path: PathBuf,
    pub agent: String,
    /// The Unix login running hark: what roles are given to (a config can name any agent).
    pub login: String,
    pub clock: SharedClock,
    /// The enabled accounts, connected to their networks.
    pub accounts: Vec<SyncAccount>,
    /// Enabled accounts that could not be connected, with the reason (a missing token…).
    pub account_errors: Vec<(String, String)>,
    /// Things the person should know before relying on hark here (a database on a network
    /// filesystem).
    pub warnings: Vec<String>,
    pub demo: bool,
    /// Keeps the throwaway demo database alive until hark exits.
    _throwaway: Option<tempfile::TempDir>,
    _log_guard: Option<WorkerGuard>,
}

impl Context {
    /// `draws`: the command takes over the terminal (the inbox), so logs never go to it.
    pub fn build(global: &GlobalArgs, draws: bool) -> anyhow::Result<Context> {
        let paths = Paths::platform();
        let config = load_config(global, &paths)?;
        let mut throwaway = None;
        let db_path = match (&global.db, global.demo) {
            (Some(path), _) => expand_home(path),
            (None, true) => {
                let dir = tempfile::Builder::new()
                    .prefix("hark-demo-")
                    .tempdir()
                    .context("could not create a folder for the throwaway demo database")?;
                let path = dir.path().join("demo.db");
                throwaway = Some(dir);
                path
            }
            (None, false) => match (&config.database, &paths.database) {
                (Some(path), _) => expand_home(path),
                (None, Some(path)) => path.clone(),
                (None, None) => anyhow::bail!(
                    "cannot tell where to keep the database on this system; pass --db PATH"
                ),
            },
        };
        let log_guard = init_logging(&config, &paths, global.verbose, !draws);
        let clock: SharedClock = Arc::new(SystemClock);
        let agent = config.agent_name();
        let mut context = Context {
            config,
            config_path: global.config.as_deref().map(expand_home),
            db_path,
            agent,
            login: unix_login(),
            clock,
            accounts: Vec::new(),
            account_errors: Vec::new(),
            warnings: Vec::new(),
            demo: global.demo,
            _throwaway: throwaway,
            _log_guard: log_guard,
        };
        if let Some(kind) = crate::store::filesystem::network_filesystem(&context.db_path) {
            let warning = format!(
                "the database {} is on a network filesystem ({kind}); SQLite cannot share it safely between machines: keep it on a local disk",
                context.db_path.display()
            );
            tracing::warn!("{warning}");
            context.warnings.push(warning);
        }
        context.register_accounts()?;
        Ok(context)
    }

    /// The database, its lists showing this agent's read marks.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        let mut store = Store::open(&self.db_path)?;
        store.read_as(&self.agent)?;
        // Checked when the config was read.
        if let Ok(targets) = self.config.sla.targets() {
            store.use_sla(&targets.as_rows())?;
        }
        Ok(store)
    }

    /// Records the configured accounts (and the demo one) in the database and connects them.
    fn register_accounts(&mut self) -> anyhow::Result<()> {
        let mut configured: Vec<AccountConfig> = self.config.accounts().cloned().collect();
        if self.demo && !configured.iter().any(|a| a.name == DEMO_ACCOUNT) {
            configured.push(AccountConfig {
                name: DEMO_ACCOUNT.into(),
                network: NetworkKind::Demo,
                handle: None,
                instance: None,
                dismiss_on_close: false,
                service: None,
                dms: true,
                chat_service: None,
                page_id: None,
                ig_user_id: None,
                ad_account_id: None,
                client_id: None,
                client_secret_env: None,
                searches: Vec::new(),
                api_base: None,
                graph_version: None,
                human_agent: false,
                enabled: true,
                sync_interval_secs: Some(10),
                signature: None,
                token_env: None,
                token_cmd: None,
                token_file: None,
            });
        }
        let mut store = self.open_store()?;
        let now = self.clock.now_millis();
        for account in configured.iter().filter(|account| account.enabled) {
            let network = match self.connect(account) {
                Ok(network) => network,
                Err(reason) => {
                    tracing::warn!(account = %account.name, %reason, "account not connected");
                    self.account_errors.push((account.name.clone(), reason));
                    None
                }
            };
            let handle = account
                .handle
                .clone()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| match default_handle(account.network) {
                    handle if handle.is_empty() => account.name.clone(),
                    handle => handle,
                });
            let account_id = store.upsert_account(
                &NewAccount {
                    name: account.name.clone(),
                    network: account.network,
                    handle,
                    remote_id: None,
                    display_name: default_display_name(account.network),
                    credentials_ref: account.secret().map(|secret| secret.describe()),
                },
                now,
            )?;
            if let Some(network) = network {
                // For teammates' inboxes, which cannot connect it themselves.
                if let Err(err) =
                    store.set_account_capabilities(account_id, &network.capabilities())
                {
                    tracing::warn!(account = %account.name, %err, "could not record the account's capabilities");
                }
                self.accounts.push(SyncAccount {
                    account_id,
                    name: account.name.clone(),
                    network,
                    interval: account.sync_interval(&self.config),
                });
            }
        }
        Ok(())
    }

    /// The account's network client; None (with the reason) when it cannot be made, e.g. the
    /// token cannot be read. The account's cached conversations stay usable either way.
    fn connect(&self, account: &AccountConfig) -> Result<Option<Arc<dyn Network>>, String> {
        Ok(Some(match account.network {
            NetworkKind::Demo => Arc::new(DemoNetwork::new(
                self.config.demo.settings(),
                Arc::clone(&self.clock),
            )),
            NetworkKind::Mastodon => {
                let instance = account.instance.as_deref().ok_or("no instance")?;
                let secret = account.secret().ok_or("no token")?;
                let token = secret.resolve().map_err(|err| {
                    format!("cannot read the token ({}): {err}", secret.describe())
                })?;
                let client =
                    mastodon::api::Client::new(instance, Some(token), Arc::clone(&self.clock))
                        .map_err(|err| err.to_string())?;
                Arc::new(
                    mastodon::MastodonNetwork::new(client)
                        .dismissing_on_close(account.dismiss_on_close),
                )
            }
            NetworkKind::Bluesky => {
                let identifier = account.handle.as_deref().ok_or("no handle")?;
                let secret = account.secret().ok_or("no app password")?;
                let password = secret.resolve().map_err(|err| {
                    format!(
                        "cannot read the app password ({}): {err}",
                        secret.describe()
                    )
                })?;
                let service = account
                    .service
                    .as_deref()
                    .unwrap_or(bluesky::DEFAULT_SERVICE);
                // The session (refresh token) is kept beside the secrets, readable by the owner only.
                let session_file = self
                    .secrets_dir()
                    .map(|dir| dir.join(format!("{}.session.json", account.name)));
                let xrpc = bluesky::xrpc::Xrpc::new(service, identifier, password, session_file)
                    .map_err(|err| err.to_string())?;
                let network = bluesky::BlueskyNetwork::new(xrpc);
                Arc::new(match account.dms {
                    true => network.with_chat(
                        account
                            .chat_service
                            .as_deref()
                            .unwrap_or(bluesky::chat::DEFAULT_CHAT_SERVICE),
                    ),
                    false => network,
                })
            }
            NetworkKind::Facebook => {
                let page_id = account.page_id.clone().ok_or("no page_id")?;
                let graph = self.graph_client(account)?;
                Arc::new(
                    facebook::FacebookNetwork::new(graph, page_id, Arc::clone(&self.clock))
                        .with_human_agent(account.human_agent),
                )
            }
            NetworkKind::Instagram => {
                let ig_user_id = account.ig_user_id.clone().ok_or("no ig_user_id")?;
                let page_id = account.page_id.clone().ok_or("no page_id")?;
                let graph = self.graph_client(account)?;
                Arc::new(
                    instagram::InstagramNetwork::new(
                        graph,
                        ig_user_id,
                        page_id,
                        Arc::clone(&self.clock),
                    )
                    .with_username(account.handle.clone())
                    .with_human_agent(account.human_agent)
                    .with_ad_account(account.ad_account_id.clone()),
                )
            }
            NetworkKind::X => {
                let client = self.x_client(account)?;
                Arc::new(
                    x::XNetwork::new(client, Arc::clone(&self.clock))
                        .with_searches(account.searches.clone())
                        .with_dms(account.dms),
                )
            }
        }))
    }

    /// An X API client: the signed-in session kept beside the secrets (refreshed and written
    /// back), or else a user access token from the account's token reference.
    fn x_client(&self, account: &AccountConfig) -> Result<x::api::XClient, String> {
        let api_base = account
            .api_base
            .clone()
            .unwrap_or_else(|| x::api::DEFAULT_API_BASE.to_owned());
        let session_file = self
            .secrets_dir()
            .map(|dir| x::auth::session_file(&dir, &account.name));
        let session = session_file.as_deref().and_then(x::auth::Session::load);
        let credentials = match (session, account.client_id.clone(), account.secret()) {
            (Some(session), Some(client_id), _) => {
                let client_secret =
                    match &account.client_secret_env {
                        Some(var) => Some(crate::config::Secret::new(std::env::var(var).map_err(
                            |_| format!("the client secret's variable {var} is not set"),
                        )?)),
                        None => None,
                    };
                let app = x::auth::App {
                    client_id,
                    client_secret,
                    authorize_url: x::auth::DEFAULT_AUTHORIZE_URL.to_owned(),
                    api_base: api_base.clone(),
                    redirect_uri: x::auth::DEFAULT_REDIRECT_URI.to_owned(),
                };
                x::api::Credentials::signed_in(app, session_file, session)
            }
            (_, _, Some(secret)) => {
                x::api::Credentials::Fixed(secret.resolve().map_err(|err| {
                    format!("cannot read the token ({}): {err}", secret.describe())
                })?)
            }
            (None, _, None) => {
                return Err("not signed in to X: run `hark accounts add x --client-id …`".into());
            }
            (Some(_), None, None) => {
                return Err("the X session needs the app's `client_id` in the config".into());
            }
        };
        x::api::XClient::new(&api_base, credentials, Arc::clone(&self.clock))
            .map_err(|err| err.to_string())
    }

    /// A Graph API client for a Facebook or Instagram account, with its Page access token.
    fn graph_client(&self, account: &AccountConfig) -> Result<GraphClient, String> {
        let secret = account.secret().ok_or("no Page access token")?;
        let token = secret.resolve().map_err(|err| {
            format!(
                "cannot read the Page access token ({}): {err}",
                secret.describe()
            )
        })?;
        GraphClient::new(
            account
                .api_base
                .as_deref()
                .unwrap_or(graph::client::DEFAULT_API_BASE),
            account
                .graph_version
                .as_deref()
                .unwrap_or(graph::client::DEFAULT_VERSION),
            token,
            Arc::clone(&self.clock),
        )
        .map_err(|err| err.to_string())
    }

    /// The folder secrets and sessions are kept in: `secrets/` beside the config file.
    /// The config file in use: the one named on the command line, else the platform's.
    pub fn config_file(&self) -> Option<PathBuf> {
        self.config_path
            .clone()
            .or_else(|| Paths::platform().config_file)
    }

    pub fn secrets_dir(&self) -> Option<PathBuf> {
        self.config_file()
            .and_then(|config| config.parent().map(|dir| dir.join("secrets")))
    }

    pub fn account(&self, account_id: i64) -> Option<&SyncAccount> {
        self.accounts.iter().find(|a| a.account_id == account_id)
    }

    /// Refuses, naming the task, unless this login is an admin of the database's team.
    pub fn require_admin(&self, store: &Store, task: &str) -> anyhow::Result<()> {
        require_admin(store, &self.login, task)
    }
}

/// Refuses, naming the task, unless `login` is an admin of the database's team.
pub fn require_admin(store: &Store, login: &str, task: &str) -> anyhow::Result<()> {
    match store.role_of(login)? {
        crate::model::Role::Admin => Ok(()),
        crate::model::Role::Agent => Err(super::exit::ForbiddenError(format!(
            "only an admin can {task}; {login} is an agent here (see `hark people list`)"
        ))
        .into()),
    }
}

/// The login of the user running this process (its uid when it has no name).
pub fn unix_login() -> String {
    uzers::get_current_username().map_or_else(
        || uzers::get_current_uid().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

fn default_handle(network: NetworkKind) -> String {
    match network {
        NetworkKind::Demo => demo::BRAND_HANDLE.into(),
        NetworkKind::Mastodon
        | NetworkKind::Bluesky
        | NetworkKind::Facebook
        | NetworkKind::Instagram
        | NetworkKind::X => String::new(),
    }
}

fn default_display_name(network: NetworkKind) -> Option<String> {
    match network {
        NetworkKind::Demo => Some(demo::BRAND_NAME.into()),
        NetworkKind::Mastodon
        | NetworkKind::Bluesky
        | NetworkKind::Facebook
        | NetworkKind::Instagram
        | NetworkKind::X => None,
    }
}

fn load_config(global: &GlobalArgs, paths: &Paths) -> anyhow::Result<Config> {
    match (&global.config, &paths.config_file) {
        // A file named on purpose must exist.
        (Some(path), _) => Ok(Config::load(&expand_home(path))?),
        (None, Some(path)) if path.exists() => Ok(Config::load(path)?),
        _ => Ok(Config::default()),
    }
}

/// Logs go to a file, never to the terminal hark draws on; `--verbose` asks for more of them,
/// and a command that does not draw (`to_stderr`) also prints them on standard error. A log
/// folder that cannot be created only means no log file.
fn init_logging(
    config: &Config,
    paths: &Paths,
    verbose: u8,
    to_stderr: bool,
) -> Option<WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let level = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    // HARK_LOG, when set, says exactly what to log; -v raises the default.
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("HARK_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level))
    };
    let file = match (&config.log_file, &paths.log_dir) {
        (Some(file), _) => Some(expand_home(file)),
        (None, Some(dir)) => Some(dir.join("hark.log")),
        (None, None) => None,
    };
    let mut guard = None;
    let file_layer = file.and_then(|file| {
        let dir = file.parent()?.to_path_buf();
        std::fs::create_dir_all(&dir).ok()?;
        let name = file.file_name()?.to_owned();
        let (writer, file_guard) =
            tracing_appender::non_blocking(tracing_appender::rolling::never(dir, name));
        guard = Some(file_guard);
        Some(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(filter()),
        )
    });
    let stderr_layer = (to_stderr && verbose > 0).then(|| {
        use std::io::IsTerminal as _;
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .with_filter(filter())
    });
    tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .ok()?;
    guard
}
