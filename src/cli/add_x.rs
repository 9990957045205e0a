//! `hark accounts add x`: sign in with OAuth 2.0 and PKCE in the terminal (or take a user
//! access token from a reference), check what the token may read, and describe the account.

use std::io::{BufRead, Write};
use std::sync::Arc;

use anyhow::Context as _;

use super::accounts::{AddArgs, Added};
use super::exit::UsageError;
use crate::clock::{SharedClock, SystemClock};
use crate::config::{Secret, SecretRef};
use crate::networks::x::XNetwork;
use crate::networks::x::api::{Credentials, DEFAULT_API_BASE, XClient};
use crate::networks::x::auth::{self, App};

pub(super) async fn add_x(args: &AddArgs, given: Option<SecretRef>) -> anyhow::Result<Added> {
    let clock: SharedClock = Arc::new(SystemClock);
    let api_base = args
        .api_base
        .clone()
        .unwrap_or_else(|| DEFAULT_API_BASE.to_owned());
    let client_id = args.client_id.clone().unwrap_or_default();
    let (credentials, session, secret, reference) = match given {
        Some(reference) => {
            let token = reference.resolve()?;
            (
                Credentials::Fixed(token.clone()),
                None,
                Some(token),
                Some(reference),
            )
        }
        None => {
            let app = App {
                client_id: client_id.clone(),
                client_secret: match &args.client_secret_env {
                    Some(var) => Some(Secret::new(std::env::var(var).map_err(|_| {
                        UsageError(format!("the client secret's variable {var} is not set"))
                    })?)),
                    None => None,
                },
                authorize_url: auth::DEFAULT_AUTHORIZE_URL.to_owned(),
                api_base: api_base.clone(),
                redirect_uri: args
                    .redirect_uri
                    .clone()
                    .unwrap_or_else(|| auth::DEFAULT_REDIRECT_URI.to_owned()),
            };
            let session = sign_in(&app, &clock).await?;
            let credentials = Credentials::signed_in(app, None, session.clone());
            (credentials, Some(session), None, None)
        }
    };
    let client = XClient::new(&api_base, credentials, Arc::clone(&clock))?;
    let network = XNetwork::new(client, clock).with_dms(true);
    let me = network
        .who_am_i()
        .await
        .context("X did not accept the token")?;
    outln!(
        "Signed in to X as {} ({})",
        me.handle,
        me.name.as_deref().unwrap_or("no name")
    )?;
    for (what, reason) in network.check_access().await? {
        outln!("  cannot read {what}: {reason}")?;
    }
    let username = me.handle.trim_start_matches('@').to_owned();
    let mut lines = vec![("network", "x".to_owned()), ("handle", me.handle.clone())];
    if !client_id.is_empty() {
        lines.push(("client_id", client_id));
    }
    if let Some(var) = &args.client_secret_env {
        lines.push(("client_secret_env", var.clone()));
    }
    if let Some(base) = &args.api_base {
        lines.push(("api_base", base.clone()));
    }
    Ok(Added {
        name: args
            .name
            .clone()
            .unwrap_or_else(|| format!("x-{}", username.to_lowercase())),
        secret,
        x_session: session,
        reference,
        lines,
    })
}

/// The page to open, the address to paste back, the tokens.
async fn sign_in(app: &App, clock: &SharedClock) -> anyhow::Result<auth::Session> {
    let authorisation = auth::start(app)?;
    outln!(
        "Open this page, sign in as the brand account and authorise the app:\n\n  {}\n\n\
         Your browser is then sent to {} (nothing needs to answer there).",
        authorisation.url,
        app.redirect_uri
    )?;
    print!("Paste the address from the browser's address bar (or just its code): ");
    std::io::stdout().flush()?;
    let mut pasted = String::new();
    std::io::stdin().lock().read_line(&mut pasted)?;
    if pasted.trim().is_empty() {
        return Err(UsageError("nothing was pasted".into()).into());
    }
    let code = auth::code_from(&pasted, &authorisation)?;
    Ok(auth::finish(app, authorisation, &code, clock.now()).await?)
}
