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
use crate::networks::mastodon::{MastodonNetwork, api::Client, auth};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AddNetwork {
    Mastodon,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    pub network: AddNetwork,
    /// The server's address, e.g. https://mastodon.social (any http or https URL).
    #[arg(long)]
    pub instance: String,
    /// The name hark will know the account by [default: mastodon-USERNAME].
    #[arg(long)]
    pub name: Option<String>,
    /// Use an existing access token from this environment variable instead of signing in.
    #[arg(long, conflicts_with_all = ["token_cmd", "token_file"])]
    pub token_env: Option<String>,
    /// Use an existing access token printed by this command (a password manager).
    #[arg(long, conflicts_with = "token_file")]
    pub token_cmd: Option<String>,
    /// Use an existing access token from this file (mode 600).
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

pub async fn add(config_path: Option<PathBuf>, args: AddArgs) -> anyhow::Result<Code> {
    let paths = Paths::platform();
    let config_path = config_path
        .map(|p| expand_home(&p))
        .or(paths.config_file)
        .ok_or_else(|| UsageError("cannot tell where the config file is: pass --config".into()))?;
    let clock: SharedClock = Arc::new(SystemClock);
    let given = match (&args.token_env, &args.token_cmd, &args.token_file) {
        (Some(var), _, _) => Some(SecretRef::Env(var.clone())),
        (_, Some(cmd), _) => Some(SecretRef::Command(cmd.clone())),
        (_, _, Some(file)) => Some(SecretRef::File(expand_home(file))),
        _ => None,
    };
    let (token, reference) = match given {
        Some(reference) => (reference.resolve()?, Some(reference)),
        None => (sign_in(&args.instance, Arc::clone(&clock)).await?, None),
    };
    let network = MastodonNetwork::new(Client::new(&args.instance, Some(token.clone()), clock)?);
    let me = network
        .me()
        .await
        .context("the server did not accept the token")?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("mastodon-{}", me.username));
    let display = if me.display_name.is_empty() {
        me.username.clone()
    } else {
        me.display_name.clone()
    };
    println!("Signed in as @{} ({display}) on {}", me.acct, args.instance);

    if config_path.exists() {
        let existing = Config::load(&config_path)?;
        if existing.accounts().any(|a| a.name == name) {
            return Err(UsageError(format!(
                "{} already has an account named '{name}': pass --name to choose another",
                config_path.display()
            ))
            .into());
        }
    }
    let reference = match reference {
        Some(reference) => reference,
        None => SecretRef::File(save_token(&config_path, &name, &token)?),
    };
    append_account(&config_path, &name, &args.instance, &me.acct, &reference)?;
    println!(
        "Added '{name}' to {}; `hark sync --once` fetches its mentions and DMs.",
        config_path.display()
    );
    Ok(Code::Ok)
}

/// The OAuth sign-in in the terminal: open the page, paste the code.
async fn sign_in(instance: &str, clock: SharedClock) -> anyhow::Result<Secret> {
    let client = Client::new(instance, None, clock)?;
    let authorisation = auth::start(&client)
        .await
        .context("could not register hark on the server")?;
    println!(
        "Open this page, sign in as the brand account and allow hark:\n\n  {}\n",
        authorisation.url
    );
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

/// Writes the token to `secrets/NAME.token` beside the config file, readable by its owner only.
fn save_token(config_path: &Path, name: &str, token: &Secret) -> anyhow::Result<PathBuf> {
    let dir = config_path
        .parent()
        .unwrap_or(Path::new("."))
        .join("secrets");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{name}.token"));
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

fn append_account(
    config_path: &Path,
    name: &str,
    instance: &str,
    acct: &str,
    secret: &SecretRef,
) -> anyhow::Result<()> {
    let quote = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let secret_line = match secret {
        SecretRef::Env(var) => format!("token_env = {}", quote(var)),
        SecretRef::Command(cmd) => format!("token_cmd = {}", quote(cmd)),
        SecretRef::File(path) => format!("token_file = {}", quote(&path.display().to_string())),
    };
    let block = format!(
        "\n[[accounts]]\nname = {}\nnetwork = \"mastodon\"\ninstance = {}\nhandle = {}\n{secret_line}\n",
        quote(name),
        quote(instance),
        quote(&format!("@{acct}")),
    );
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
