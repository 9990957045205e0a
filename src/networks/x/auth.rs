//! Signing in to X from a terminal with OAuth 2.0 (authorization code with PKCE, the oauth2
//! crate): hark prints the authorisation page, the person approves and pastes back the address
//! the browser was sent to (or just its `code`), and hark trades it for an access token and a
//! refresh token (`offline.access`). X access tokens live two hours and every refresh returns a
//! new refresh token, so the session is written back to its file (mode 600) each time.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::config::Secret;
use crate::networks::{NetworkError, NetworkResult};

/// What hark asks for: reading and writing posts, likes, hiding replies, DMs, and a refresh
/// token.
pub const SCOPES: &[&str] = &[
    "tweet.read",
    "tweet.write",
    "users.read",
    "like.read",
    "like.write",
    "tweet.moderate.write",
    "dm.read",
    "dm.write",
    "offline.access",
];

/// Where X shows the authorisation page (the X API docs; the token endpoint is on the API).
pub const DEFAULT_AUTHORIZE_URL: &str = "https://x.com/i/oauth2/authorize";
/// A loopback address: nothing needs to listen there, the person copies it from the browser.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// The tokens of a signed-in account, as kept in `secrets/NAME.session.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// When the access token stops working (None: not said).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl Session {
    pub fn load(path: &Path) -> Option<Session> {
        let text = std::fs::read_to_string(path).ok()?;
        match serde_json::from_str(&text) {
            Ok(session) => Some(session),
            Err(err) => {
                tracing::warn!(file = %path.display(), %err, "the X session file cannot be read");
                None
            }
        }
    }

    /// Writes the session, readable by its owner only.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
    }

    /// Whether the access token is about to expire (a minute's margin).
    pub fn expiring(&self, now: DateTime<Utc>) -> bool {
        self.expires_at
            .is_some_and(|at| at - chrono::Duration::seconds(60) <= now)
    }
}

/// The X app hark signs in through (its OAuth 2.0 client, from the developer portal).
#[derive(Debug, Clone)]
pub struct App {
    pub client_id: String,
    /// Only for a confidential client ("Web App" type); a native app has none.
    pub client_secret: Option<Secret>,
    pub authorize_url: String,
    /// The API's address; the token endpoint is `/2/oauth2/token` on it.
    pub api_base: String,
    pub redirect_uri: String,
}

/// A sign-in under way: the page to open and the secret half of PKCE.
pub struct Authorisation {
    pub url: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
}

/// Builds the page the person must open.
pub fn start(app: &App) -> NetworkResult<Authorisation> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = oauth_client(app)?
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.iter().map(|s| Scope::new((*s).to_owned())))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Authorisation {
        url: url.to_string(),
        state,
        verifier,
    })
}

/// The code in what the person pasted: the whole address the browser was sent to (its `state`
/// must be ours) or the bare code.
pub fn code_from(pasted: &str, authorisation: &Authorisation) -> NetworkResult<String> {
    let pasted = pasted.trim();
    let Ok(url) = reqwest::Url::parse(pasted) else {
        return match pasted {
            "" => Err(NetworkError::Auth("nothing was pasted".into())),
            code => Ok(code.to_owned()),
        };
    };
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if let Some(error) = param("error") {
        return Err(NetworkError::Auth(format!(
            "X did not authorise hark: {error}{}",
            param("error_description")
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )));
    }
    if param("state").as_deref() != Some(authorisation.state.secret().as_str()) {
        return Err(NetworkError::Auth(
            "that address is not the answer to this sign-in (its state differs): start again"
                .into(),
        ));
    }
    param("code").ok_or_else(|| NetworkError::Auth("that address carries no code".into()))
}

/// Trades the code for tokens.
pub async fn finish(
    app: &App,
    authorisation: Authorisation,
    code: &str,
    now: DateTime<Utc>,
) -> NetworkResult<Session> {
    let token = oauth_client(app)?
        .exchange_code(AuthorizationCode::new(code.trim().to_owned()))
        .set_pkce_verifier(authorisation.verifier)
        .request_async(&http()?)
        .await
        .map_err(|err| NetworkError::Auth(format!("X did not accept the code: {err}")))?;
    Ok(session_from(&token, None, now))
}

/// New tokens from the refresh token (which X replaces with a new one each time).
pub async fn refresh(app: &App, session: &Session, now: DateTime<Utc>) -> NetworkResult<Session> {
    let refresh = session.refresh_token.as_deref().ok_or_else(|| {
        NetworkError::Auth(
            "the X access token expired and there is no refresh token: sign in again with \
             `hark accounts add x`"
                .into(),
        )
    })?;
    let token = oauth_client(app)?
        .exchange_refresh_token(&RefreshToken::new(refresh.to_owned()))
        .request_async(&http()?)
        .await
        .map_err(|err| match err {
            oauth2::RequestTokenError::Request(err) => {
                NetworkError::Transient(format!("cannot reach X to refresh the token: {err}"))
            }
            other => NetworkError::Auth(format!(
                "X refused to refresh the session ({other}): sign in again with `hark accounts add x`"
            )),
        })?;
    Ok(session_from(&token, session.refresh_token.clone(), now))
}

fn session_from(
    token: &oauth2::basic::BasicTokenResponse,
    previous_refresh: Option<String>,
    now: DateTime<Utc>,
) -> Session {
    Session {
        access_token: token.access_token().secret().clone(),
        refresh_token: token
            .refresh_token()
            .map(|t| t.secret().clone())
            .or(previous_refresh),
        expires_at: token
            .expires_in()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| now + d),
    }
}

fn http() -> NetworkResult<oauth2::reqwest::Client> {
    oauth2::reqwest::ClientBuilder::new()
        .redirect(oauth2::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|err| NetworkError::Transient(err.to_string()))
}

/// The oauth2 client with the authorisation and token endpoints set.
type OAuthClient = BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn oauth_client(app: &App) -> NetworkResult<OAuthClient> {
    let bad = |what: &str, err: oauth2::url::ParseError| {
        NetworkError::Rejected(format!("bad {what} address: {err}"))
    };
    let token_url = format!("{}/2/oauth2/token", app.api_base.trim_end_matches('/'));
    let mut client = BasicClient::new(ClientId::new(app.client_id.clone()))
        .set_auth_uri(AuthUrl::new(app.authorize_url.clone()).map_err(|e| bad("authorisation", e))?)
        .set_token_uri(TokenUrl::new(token_url).map_err(|e| bad("token", e))?)
        .set_redirect_uri(
            RedirectUrl::new(app.redirect_uri.clone()).map_err(|e| bad("redirect", e))?,
        );
    if let Some(secret) = &app.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
    }
    Ok(client)
}

/// Where an account's session is kept: `secrets/NAME.session.json` beside the config.
pub fn session_file(secrets_dir: &Path, account: &str) -> PathBuf {
    secrets_dir.join(format!("{account}.session.json"))
}
