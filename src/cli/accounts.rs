//! `hark accounts add …`: connect a brand account, keep its token as a secret, and write the
//! account into the config file.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use super::exit::{Code, UsageError};
use crate::clock::{SharedClock, SystemClock};
use crate::config::{Config, Paths, Secret, SecretRef, expand_home};
use crate::networks::bluesky;
use crate::networks::facebook::FacebookNetwork;
use crate::networks::graph::{self, client::GraphClient};
use crate::networks::instagram::InstagramNetwork;
use crate::networks::mastodon::{MastodonNetwork, api::Client, auth};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AddNetwork {
    Mastodon,
    Bluesky,
    Facebook,
    Instagram,
    X,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    pub network: AddNetwork,
    /// Mastodon: the server's address, e.g. https://mastodon.social (any http or https URL).
    #[arg(long, required_if_eq("network", "mastodon"))]
    pub instance: Option<String>,
    /// Bluesky: the account's handle, e.g. brand.bsky.social.
    #[arg(long, required_if_eq("network", "bluesky"))]
    pub handle: Option<String>,
    /// Bluesky: the PDS or entryway to sign in at [default: https://bsky.social].
    #[arg(long)]
    pub service: Option<String>,
    /// Facebook and Instagram: the Page's id (Page settings → About, or the Graph API
    /// Explorer); for Instagram, the Page the professional account is linked to.
    #[arg(long, required_if_eq_any([("network", "facebook"), ("network", "instagram")]))]
    pub page_id: Option<String>,
    /// X: the OAuth 2.0 client id of your X app (developer portal → the app → Keys and tokens).
    #[arg(long, required_if_eq("network", "x"))]
    pub client_id: Option<String>,
    /// X: the callback address registered for the app [default: http://127.0.0.1:8765/callback].
    #[arg(long)]
    pub redirect_uri: Option<String>,
    /// X: the environment variable holding the app's client secret (a "Web App" client only).
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    /// Instagram: also read comments on the ads of this ad account ("act_…"; needs ads_read).
    #[arg(long, value_name = "AD_ACCOUNT_ID")]
    pub ad_account: Option<String>,
    /// Facebook: the Graph API's address [default: https://graph.facebook.com].
    #[arg(long)]
    pub api_base: Option<String>,
    /// Facebook: the Graph API version [default: the one hark is written against].
    #[arg(long)]
    pub graph_version: Option<String>,
    /// The name hark will know the account by [default: mastodon-USERNAME].
    #[arg(long)]
    pub name: Option<String>,
    /// Use an existing access token (Mastodon) or app password (Bluesky) from this environment
    /// variable instead of signing in or typing it.
    #[arg(long, conflicts_with_all = ["token_cmd", "token_file"])]
    pub token_env: Option<String>,
    /// Use an existing access token printed by this command (a password manager).
    #[arg(long, conflicts_with = "token_file")]
    pub token_cmd: Option<String>,
    /// Use an existing access token from this file (mode 600).
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

pub async fn add(
    config_path: Option<PathBuf>,
    db: Option<PathBuf>,
    args: AddArgs,
) -> anyhow::Result<Code> {
    let paths = Paths::platform();
    let config_path = config_path
        .map(|p| expand_home(&p))
        .or(paths.config_file)
        .ok_or_else(|| UsageError("cannot tell where the config file is: pass --config".into()))?;
    require_admin(&config_path, db, paths.database)?;
    let given = match (&args.token_env, &args.token_cmd, &args.token_file) {
        (Some(var), _, _) => Some(SecretRef::Env(var.clone())),
        (_, Some(cmd), _) => Some(SecretRef::Command(cmd.clone())),
        (_, _, Some(file)) => Some(SecretRef::File(expand_home(file))),
        _ => None,
    };
    let added = match args.network {
        AddNetwork::Mastodon => add_mastodon(&args, given).await?,
        AddNetwork::Bluesky => add_bluesky(&args, given).await?,
        AddNetwork::Facebook => add_facebook(&args, given).await?,
        AddNetwork::Instagram => add_instagram(&args, given).await?,
        AddNetwork::X => super::add_x::add_x(&args, given).await?,
    };
    if config_path.exists() {
        let existing = Config::load(&config_path)?;
        if existing.accounts().any(|a| a.name == added.name) {
            return Err(UsageError(format!(
                "{} already has an account named '{}': pass --name to choose another",
                config_path.display(),
                added.name
            ))
            .into());
        }
    }
    let reference = match (added.reference, &added.secret) {
        (Some(reference), _) => Some(reference),
        (None, Some(secret)) => Some(SecretRef::File(save_secret(
            &config_path,
            &format!("{}.token", added.name),
            secret,
        )?)),
        (None, None) => None,
    };
    if let Some(session) = &added.x_session {
        let file = crate::networks::x::auth::session_file(&secrets_dir(&config_path), &added.name);
        session
            .save(&file)
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    let mut lines = added.lines;
    lines.extend(reference.map(|reference| match reference {
        SecretRef::Env(var) => ("token_env", var),
        SecretRef::Command(cmd) => ("token_cmd", cmd),
        SecretRef::File(path) => ("token_file", path.display().to_string()),
    }));
    append_account(&config_path, &added.name, &lines)?;
    outln!(
        "Added '{}' to {}; `hark sync --once` fetches it.",
        added.name,
        config_path.display()
    )?;
    Ok(Code::Ok)
}

/// Adding an account is an admin's task on a team box: checked against the database the config
/// names (when it exists yet; a first account on a new machine has nothing to check against).
fn require_admin(
    config_path: &Path,
    db: Option<PathBuf>,
    default_db: Option<PathBuf>,
) -> anyhow::Result<()> {
    let configured = if config_path.exists() {
        Config::load(config_path)?.database.map(|p| expand_home(&p))
    } else {
        None
    };
    let Some(db) = db.map(|p| expand_home(&p)).or(configured).or(default_db) else {
        return Ok(());
    };
    if !db.exists() {
        return Ok(());
    }
    let store = crate::store::Store::open(&db)?;
    super::context::require_admin(&store, &super::context::unix_login(), "add accounts")
}

/// An account ready to be written into the config.
pub(super) struct Added {
    pub name: String,
    /// The token to keep (None: nothing to keep, or already kept elsewhere).
    pub secret: Option<Secret>,
    /// An X sign-in, kept as `secrets/NAME.session.json`.
    pub x_session: Option<crate::networks::x::auth::Session>,
    /// Where the secret already is; None to keep it in a file of its own.
    pub reference: Option<SecretRef>,
    /// The account's keys after name, in order.
    pub lines: Vec<(&'static str, String)>,
}

async fn add_mastodon(args: &AddArgs, given: Option<SecretRef>) -> anyhow::Result<Added> {
    let instance = args.instance.clone().unwrap_or_default();
    let clock: SharedClock = Arc::new(SystemClock);
    let (token, reference) = match given {
        Some(reference) => (reference.resolve()?, Some(reference)),
        None => (sign_in(&instance, Arc::clone(&clock)).await?, None),
    };
    let network = MastodonNetwork::new(Client::new(&instance, Some(token.clone()), clock)?);
    let me = network
        .me()
        .await
        .context("the server did not accept the token")?;
    let display = if me.display_name.is_empty() {
        me.username.clone()
    } else {
        me.display_name.clone()
    };
    outln!("Signed in as @{} ({display}) on {instance}", me.acct)?;
    Ok(Added {
        name: args
            .name
            .clone()
            .unwrap_or_else(|| format!("mastodon-{}", me.username)),
        secret: Some(token),
        x_session: None,
        reference,
        lines: vec![
            ("network", "mastodon".into()),
            ("instance", instance),
            ("handle", format!("@{}", me.acct)),
        ],
    })
}

/// Bluesky signs in with an app password (Settings → App passwords; tick "allow access to your
/// direct messages" for DMs). Typed here, it is kept in a file only you can read.
async fn add_bluesky(args: &AddArgs, given: Option<SecretRef>) -> anyhow::Result<Added> {
    let handle = args
        .handle
        .clone()
        .unwrap_or_default()
        .trim_start_matches('@')
        .to_owned();
    let service = args
        .service
        .clone()
        .unwrap_or_else(|| bluesky::DEFAULT_SERVICE.to_owned());
    let (password, reference) = match given {
        Some(reference) => (reference.resolve()?, Some(reference)),
        None => {
            print!("App password for {handle} (Settings → Privacy and security → App passwords): ");
            std::io::stdout().flush()?;
            let mut typed = String::new();
            std::io::stdin().lock().read_line(&mut typed)?;
            if typed.trim().is_empty() {
                return Err(UsageError("no app password was given".into()).into());
            }
            (Secret::new(typed.trim().to_owned()), None)
        }
    };
    let xrpc = bluesky::xrpc::Xrpc::new(&service, &handle, password.clone(), None)?;
    let session = xrpc.login().await?;
    outln!(
        "Signed in as @{} ({}) at {service}",
        session.handle,
        session.did
    )?;
    let mut lines = vec![
        ("network", "bluesky".to_owned()),
        ("handle", session.handle.clone()),
    ];
    if args.service.is_some() {
        lines.push(("service", service));
    }
    Ok(Added {
        name: args.name.clone().unwrap_or_else(|| {
            format!(
                "bluesky-{}",
                session.handle.split('.').next().unwrap_or("brand")
            )
        }),
        secret: Some(password),
        x_session: None,
        reference,
        lines,
    })
}

/// Facebook takes a Page access token (see the README for a long-lived one), checked against
/// the Page before the account is written: what it may not read is said, with the permission.
async fn add_facebook(args: &AddArgs, given: Option<SecretRef>) -> anyhow::Result<Added> {
    let page_id = args.page_id.clone().unwrap_or_default();
    let (token, reference) = page_token(&page_id, given)?;
    let clock: SharedClock = Arc::new(SystemClock);
    let graph = graph_client(args, token.clone(), Arc::clone(&clock))?;
    let network = FacebookNetwork::new(graph, page_id.clone(), clock);
    let access = network
        .check_access()
        .await
        .with_context(|| format!("the token does not open the Page {page_id}"))?;
    outln!("Page: {} ({page_id})", access.page_name)?;
    for (what, reason) in &access.refused {
        outln!("  cannot read {what}: {reason}")?;
    }
    if !access.refused.is_empty() {
        outln!("  The rest syncs; give the token the permission named above for the whole inbox.")?;
    }
    let mut lines = vec![
        ("network", "facebook".to_owned()),
        ("page_id", page_id.clone()),
    ];
    if let Some(base) = &args.api_base {
        lines.push(("api_base", base.clone()));
    }
    if let Some(version) = &args.graph_version {
        lines.push(("graph_version", version.clone()));
    }
    let slug: String = access
        .page_name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    Ok(Added {
        name: args.name.clone().unwrap_or_else(|| {
            if slug.is_empty() {
                format!("facebook-{page_id}")
            } else {
                format!("facebook-{slug}")
            }
        }),
        secret: Some(token),
        x_session: None,
        reference,
        lines,
    })
}

/// Instagram goes through the Facebook Page it is linked to: the Page's token finds the
/// professional account, then each thing hark syncs is tried once.
async fn add_instagram(args: &AddArgs, given: Option<SecretRef>) -> anyhow::Result<Added> {
    let page_id = args.page_id.clone().unwrap_or_default();
    let (token, reference) = page_token(&page_id, given)?;
    let clock: SharedClock = Arc::new(SystemClock);
    let graph = graph_client(args, token.clone(), Arc::clone(&clock))?;
    let (ig_user_id, username) = InstagramNetwork::linked_account(&graph, &page_id)
        .await
        .with_context(|| format!("cannot find the Instagram account of the Page {page_id}"))?;
    let network = InstagramNetwork::new(graph, ig_user_id.clone(), page_id.clone(), clock)
        .with_ad_account(args.ad_account.clone());
    let refused = network.check_access().await?;
    outln!(
        "Instagram: @{} ({ig_user_id}), through the Page {page_id}",
        username.as_deref().unwrap_or("?")
    )?;
    for (what, reason) in &refused {
        outln!("  cannot read {what}: {reason}")?;
    }
    let mut lines = vec![
        ("network", "instagram".to_owned()),
        ("ig_user_id", ig_user_id.clone()),
        ("page_id", page_id),
    ];
    if let Some(username) = &username {
        lines.push(("handle", username.clone()));
    }
    if let Some(ad_account) = &args.ad_account {
        lines.push(("ad_account_id", ad_account.clone()));
    }
    if let Some(base) = &args.api_base {
        lines.push(("api_base", base.clone()));
    }
    if let Some(version) = &args.graph_version {
        lines.push(("graph_version", version.clone()));
    }
    Ok(Added {
        name: args.name.clone().unwrap_or_else(|| {
            format!(
                "instagram-{}",
                username.clone().unwrap_or_else(|| ig_user_id.clone())
            )
        }),
        secret: Some(token),
        x_session: None,
        reference,
        lines,
    })
}

/// The Page access token: from the reference given, or typed.
fn page_token(
    page_id: &str,
    given: Option<SecretRef>,
) -> anyhow::Result<(Secret, Option<SecretRef>)> {
    Ok(match given {
        Some(reference) => (reference.resolve()?, Some(reference)),
        None => {
            print!("Page access token for Page {page_id}: ");
            std::io::stdout().flush()?;
            let mut typed = String::new();
            std::io::stdin().lock().read_line(&mut typed)?;
            if typed.trim().is_empty() {
                return Err(UsageError("no Page access token was given".into()).into());
            }
            (Secret::new(typed.trim().to_owned()), None)
        }
    })
}

fn graph_client(args: &AddArgs, token: Secret, clock: SharedClock) -> anyhow::Result<GraphClient> {
    Ok(GraphClient::new(
        args.api_base
            .as_deref()
            .unwrap_or(graph::client::DEFAULT_API_BASE),
        args.graph_version
            .as_deref()
            .unwrap_or(graph::client::DEFAULT_VERSION),
        token,
        clock,
    )?)
}

/// The OAuth sign-in in the terminal: open the page, paste the code.
async fn sign_in(instance: &str, clock: SharedClock) -> anyhow::Result<Secret> {
    let client = Client::new(instance, None, clock)?;
    let authorisation = auth::start(&client)
        .await
        .context("could not register hark on the server")?;
    outln!(
        "Open this page, sign in as the brand account and allow hark:\n\n  {}\n",
        authorisation.url
    )?;
    print!("Then paste the code it shows: ");
    std::io::stdout().flush()?;
    let mut code = String::new();
    std::io::stdin().lock().read_line(&mut code)?;
    if code.trim().is_empty() {
        return Err(UsageError("no code was pasted".into()).into());
    }
    Ok(Secret::new(
        auth::finish(&client, authorisation, &code).await?,
    ))
}

/// The secrets folder beside the config file.
fn secrets_dir(config_path: &Path) -> PathBuf {
    config_path
        .parent()
        .unwrap_or(Path::new("."))
        .join("secrets")
}

/// Writes a secret to `secrets/FILE` beside the config file, readable by its owner only.
fn save_secret(config_path: &Path, file: &str, token: &Secret) -> anyhow::Result<PathBuf> {
    let dir = secrets_dir(config_path);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(file);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(token.expose().as_bytes())?;
    Ok(path)
}

fn append_account(config_path: &Path, name: &str, lines: &[(&str, String)]) -> anyhow::Result<()> {
    let quote = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let mut block = format!("\n[[accounts]]\nname = {}\n", quote(name));
    for (key, value) in lines {
        block.push_str(&format!("{key} = {}\n", quote(value)));
    }
    if let Some(parent) = config_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(config_path)
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    file.write_all(block.as_bytes())?;
    Ok(())
}
