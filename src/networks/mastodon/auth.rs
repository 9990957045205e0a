//! Signing in to Mastodon from a terminal: register hark as an app on the instance, send the
//! person to the authorisation page (out-of-band redirect: the page shows a code to paste back),
//! and trade the code for a token, with PKCE. The OAuth parts use the oauth2 crate.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};

use super::api::Client;
use super::model::Application;
use crate::networks::{NetworkError, NetworkResult};

/// The redirect that makes the server show the code instead of sending it somewhere.
pub const OUT_OF_BAND: &str = "urn:ietf:wg:oauth:2.0:oob";
pub const SCOPES: &str = "read write";

/// A sign-in under way: the app registered, the page to open, the secret half of PKCE.
pub struct Authorisation {
    pub url: String,
    app: Application,
    verifier: PkceCodeVerifier,
}

/// Registers hark on the instance and builds the page the person must open.
pub async fn start(client: &Client) -> NetworkResult<Authorisation> {
    let form = [
        ("client_name", "hark".to_owned()),
        ("redirect_uris", OUT_OF_BAND.to_owned()),
        ("scopes", SCOPES.to_owned()),
        ("website", "https://example.invalid/hark".to_owned()),
    ];
    let app: Application = client.post("/api/v1/apps", &form, None).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _state) = oauth_client(client, &app)?
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.split(' ').map(|s| Scope::new(s.to_owned())))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Authorisation {
        url: url.to_string(),
        app,
        verifier,
    })
}

/// Trades the code the page showed for an access token.
pub async fn finish(
    client: &Client,
    authorisation: Authorisation,
    code: &str,
) -> NetworkResult<String> {
    let http = oauth2::reqwest::ClientBuilder::new()
        .redirect(oauth2::reqwest::redirect::Policy::none())
        .build()
        .map_err(|err| NetworkError::Transient(err.to_string()))?;
    let token = oauth_client(client, &authorisation.app)?
        .exchange_code(AuthorizationCode::new(code.trim().to_owned()))
        .set_pkce_verifier(authorisation.verifier)
        .request_async(&http)
        .await
        .map_err(|err| NetworkError::Auth(format!("the server did not accept the code: {err}")))?;
    Ok(token.access_token().secret().clone())
}

/// The oauth2 client with the authorisation and token endpoints set.
type OAuthClient = BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn oauth_client(client: &Client, app: &Application) -> NetworkResult<OAuthClient> {
    let bad =
        |err: oauth2::url::ParseError| NetworkError::Rejected(format!("bad server address: {err}"));
    Ok(BasicClient::new(ClientId::new(app.client_id.clone()))
        .set_client_secret(ClientSecret::new(app.client_secret.clone()))
        .set_auth_uri(AuthUrl::new(client.url("/oauth/authorize")).map_err(bad)?)
        .set_token_uri(TokenUrl::new(client.url("/oauth/token")).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(OUT_OF_BAND.to_owned()).map_err(bad)?))
}
