//! OAuth 2.1 for the Streamable HTTP server (`serve --http --oauth`): the server is both the
//! protected resource and the authorization server MCP clients see, and Intercom's OAuth is
//! the identity behind it. Following the MCP authorization specification (2026-07-28:
//! "Authorization Server Discovery", "Client Registration", "Token audience binding"):
//! - [`metadata`]: RFC 9728 protected-resource metadata, RFC 8414 authorization-server
//!   metadata, and the `WWW-Authenticate: Bearer resource_metadata=…` challenge (RFC 9728 §5.1).
//! - [`register`]: RFC 7591 dynamic client registration, stateless; [`documents`]: client ID
//!   metadata documents (a URL as `client_id`), fetched only from the public addresses
//!   [`addresses`] allows.
//! - [`authorize`]: `/authorize` (PKCE S256 only, RFC 7636; a registered redirect URI, a
//!   loopback one on any port; `state`), on to Intercom's consent page, and Intercom's answer
//!   on `/oauth/callback`; [`consent`]: our own consent page before Intercom's, naming the
//!   client (against the confused deputy).
//! - [`token`]: `/token` with the authorization_code and refresh_token grants (OAuth 2.1 §4.1.3,
//!   §4.3).
//! - [`upstream`]: Intercom's code exchange and the region probe (GET /me).
//! - [`page`]: the HTML pages, rendered safely.
//! - [`seal`], [`grants`]: every id, code and token is a sealed blob ([`seal::Sealer`]) holding
//!   one of [`grants`]' payloads; [`store`] remembers what was used once (codes, refresh
//!   tokens, flow states) and which refresh-token families are revoked, in process or in Redis.
//!
//! Tokens and codes never reach a log line or an error message.

// Sealing and the one-use store live below the server (the confirmations use them too); they
// keep their names here, so `auth::seal` and `auth::store` read as before.
pub use crate::state::{seal, store};

mod addresses;
mod authorize;
mod consent;
mod documents;
pub mod grants;
mod metadata;
mod page;
mod register;
mod token;
mod upstream;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::config::{Region, Secret};
use grants::Access;
use seal::{Kind, Sealer};

pub use metadata::challenge;

/// Intercom's OAuth consent page and code exchange (Intercom's "Using OAuth" reference).
pub const INTERCOM_AUTHORIZE_URL: &str = "https://app.intercom.com/oauth";
pub const INTERCOM_TOKEN_URL: &str = "https://api.intercom.io/auth/eagle/token";

/// The path Intercom sends the user back to; register `<public URL>/oauth/callback` as the
/// Intercom app's redirect URL.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// The authorization server's settings and keys; shared by every request.
pub struct OAuth {
    /// `scheme://host[:port]`: the issuer; the MCP endpoint is `<public_url>/mcp`.
    public_url: String,
    sealer: Sealer,
    client_id: String,
    client_secret: Secret,
    authorize_url: String,
    token_url: String,
    /// Where each region's API is; `GET /me` is tried on each at token time.
    regions: Vec<(Region, String)>,
    http: reqwest::Client,
    /// Fetches client ID metadata documents: public addresses only, unless for tests.
    documents: reqwest::Client,
    documents_on_loopback: bool,
    /// Used codes, refresh tokens and flow states; revoked families.
    store: Box<dyn store::Store>,
}

impl OAuth {
    /// From `public_url` (flag or INTERCOM_MCP_PUBLIC_URL) and the environment:
    /// INTERCOM_OAUTH_CLIENT_ID, INTERCOM_OAUTH_CLIENT_SECRET, INTERCOM_MCP_TOKEN_KEY, and for
    /// tests or proxies INTERCOM_OAUTH_AUTHORIZE_URL, INTERCOM_OAUTH_TOKEN_URL and
    /// INTERCOM_OAUTH_REGION_URLS (`us=…,eu=…,au=…`), INTERCOM_OAUTH_DOCUMENTS_ON_LOOPBACK
    /// (`1`: client ID metadata documents may be on loopback and plain http; tests only), and
    /// INTERCOM_MCP_STATE_URL (`redis://…`: the store the replicas share; unset: in process).
    pub fn resolve(
        public_url: Option<String>,
        http: reqwest::Client,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let get = |name: &str| {
            env(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let public_url = public_url
            .or_else(|| get("INTERCOM_MCP_PUBLIC_URL"))
            .ok_or(
                "--oauth needs the server's public URL: --public-url or INTERCOM_MCP_PUBLIC_URL \
                    (e.g. https://mcp.example.com)",
            )?;
        let public_url = public_url.trim().trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&public_url)
            .ok()
            .filter(|url| matches!(url.scheme(), "https" | "http") && url.path() == "/")
            .filter(|url| url.query().is_none() && url.fragment().is_none());
        if parsed.is_none() {
            return Err(format!(
                "the public URL must be scheme://host[:port] with no path, got {public_url:?}"
            ));
        }
        let client_id = get("INTERCOM_OAUTH_CLIENT_ID")
            .ok_or("--oauth needs INTERCOM_OAUTH_CLIENT_ID (your Intercom app's client id)")?;
        let client_secret = get("INTERCOM_OAUTH_CLIENT_SECRET")
            .and_then(|secret| Secret::parse(&secret))
            .ok_or(
                "--oauth needs INTERCOM_OAUTH_CLIENT_SECRET (your Intercom app's client secret)",
            )?;
        let sealer = Sealer::new(
            &get("INTERCOM_MCP_TOKEN_KEY").unwrap_or_default(),
            &public_url,
        )?;
        let url = |name: &str, default: &str| -> Result<String, String> {
            let url = get(name).unwrap_or_else(|| default.to_owned());
            reqwest::Url::parse(&url)
                .ok()
                .filter(|url| matches!(url.scheme(), "https" | "http"))
                .map(|_| url.trim_end_matches('/').to_owned())
                .ok_or(format!("{name} must be an http(s) URL, got {url:?}"))
        };
        let mut regions: Vec<(Region, String)> = Region::ALL
            .iter()
            .map(|region| (*region, region.base_url().to_owned()))
            .collect();
        for entry in get("INTERCOM_OAUTH_REGION_URLS")
            .unwrap_or_default()
            .split(',')
        {
            let Some((name, base)) = entry.split_once('=') else {
                continue;
            };
            let slot = regions
                .iter_mut()
                .find(|(region, _)| region.name().eq_ignore_ascii_case(name.trim()))
                .ok_or(format!(
                    "INTERCOM_OAUTH_REGION_URLS: unknown region {:?}",
                    name.trim()
                ))?;
            slot.1 = base.trim().trim_end_matches('/').to_owned();
        }
        let documents_on_loopback =
            get("INTERCOM_OAUTH_DOCUMENTS_ON_LOOPBACK").as_deref() == Some("1");
        Ok(Self {
            documents: documents::client(documents_on_loopback)?,
            documents_on_loopback,
            authorize_url: url("INTERCOM_OAUTH_AUTHORIZE_URL", INTERCOM_AUTHORIZE_URL)?,
            token_url: url("INTERCOM_OAUTH_TOKEN_URL", INTERCOM_TOKEN_URL)?,
            public_url,
            sealer,
            client_id,
            client_secret,
            regions,
            http,
            store: store::from_url(get("INTERCOM_MCP_STATE_URL").as_deref())?,
        })
    }

    /// The MCP endpoint's URL: the resource tokens are issued for (RFC 8707, RFC 9728 §2).
    pub fn resource(&self) -> String {
        format!("{}/mcp", self.public_url)
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// A resource parameter (RFC 8707), when a client sends one, must name this server.
    fn resource_ok(&self, resource: Option<&String>) -> bool {
        resource.is_none_or(|resource| {
            let resource = resource.trim_end_matches('/');
            resource == self.resource() || resource == self.public_url
        })
    }

    fn base_url(&self, region: &str) -> Option<&str> {
        self.regions
            .iter()
            .find(|(known, _)| known.name() == region)
            .map(|(_, base)| base.as_str())
    }

    /// The Intercom token, API base URL and client an access token stands for; `None` when
    /// it is not one of ours for this server, or has expired.
    pub fn verify(&self, bearer: &Secret) -> Option<(Secret, String, Option<String>)> {
        let access: Access = self.sealer.open(Kind::Access, bearer.expose())?;
        if access.exp <= grants::now() {
            return None;
        }
        let base = self.base_url(&access.region)?.to_owned();
        Some((Secret::parse(&access.token)?, base, access.client_id))
    }

    /// Seals an access token (also for tests: an expired one is `exp` in the past).
    pub fn seal_access(&self, access: &Access) -> Result<String, String> {
        self.sealer.seal(Kind::Access, access)
    }
}

/// The OAuth routes, open to anyone (each checks what it is given); the caller adds the
/// Host/Origin guard.
pub fn routes(oauth: Arc<OAuth>) -> Router {
    Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(metadata::protected_resource),
        )
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(metadata::protected_resource),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(metadata::authorization_server),
        )
        .route("/register", post(register::register))
        .route("/authorize", get(authorize::authorize))
        .route(consent::PATH, post(consent::decide))
        .route(
            CALLBACK_PATH,
            get(authorize::callback).post(authorize::callback_form),
        )
        .route("/token", post(token::token))
        .with_state(oauth)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn resolve(public_url: &str, vars: &[(&str, &str)]) -> Result<OAuth, String> {
        let mut all = vec![
            ("INTERCOM_OAUTH_CLIENT_ID", "app"),
            ("INTERCOM_OAUTH_CLIENT_SECRET", "secret"),
            ("INTERCOM_MCP_TOKEN_KEY", KEY),
        ];
        all.extend_from_slice(vars);
        let config = crate::config::Config::resolve(&Default::default(), |_| None).unwrap();
        let http = crate::intercom::http_client(&config).unwrap();
        OAuth::resolve(Some(public_url.to_owned()), http, |name| {
            all.iter()
                .rev()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn the_public_url_is_an_origin_and_names_the_resource() {
        let oauth = resolve("https://mcp.example.com/", &[]).unwrap();
        assert_eq!(oauth.resource(), "https://mcp.example.com/mcp");
        assert!(oauth.resource_ok(None));
        assert!(oauth.resource_ok(Some(&"https://mcp.example.com/mcp".to_owned())));
        assert!(oauth.resource_ok(Some(&"https://mcp.example.com".to_owned())));
        assert!(!oauth.resource_ok(Some(&"https://other.example/mcp".to_owned())));
        for bad in [
            "mcp.example.com",
            "https://mcp.example.com/prefix",
            "ftp://a.example",
        ] {
            assert!(resolve(bad, &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn regions_default_to_intercom_and_may_be_overridden() {
        let oauth = resolve("https://m.example", &[]).unwrap();
        assert_eq!(oauth.base_url("eu"), Some("https://api.eu.intercom.io"));
        assert_eq!(oauth.token_url, INTERCOM_TOKEN_URL);
        assert_eq!(oauth.authorize_url, INTERCOM_AUTHORIZE_URL);
        let oauth = resolve(
            "https://m.example",
            &[("INTERCOM_OAUTH_REGION_URLS", "EU=http://127.0.0.1:9/")],
        )
        .unwrap();
        assert_eq!(oauth.base_url("eu"), Some("http://127.0.0.1:9"));
        assert_eq!(oauth.base_url("us"), Some("https://api.intercom.io"));
        let err = resolve(
            "https://m.example",
            &[("INTERCOM_OAUTH_REGION_URLS", "mars=http://x")],
        )
        .err()
        .unwrap();
        assert!(err.contains("mars"), "{err}");
        let err = resolve("https://m.example", &[("INTERCOM_OAUTH_CLIENT_SECRET", "")])
            .err()
            .unwrap();
        assert!(err.contains("INTERCOM_OAUTH_CLIENT_SECRET"), "{err}");
    }

    #[test]
    fn an_access_token_opens_to_the_token_and_its_region_until_it_expires() {
        let oauth = resolve("https://m.example", &[]).unwrap();
        let access = |exp| Access {
            token: "tok_user".to_owned(),
            region: "au".to_owned(),
            exp,
            client_id: Some("client-1".to_owned()),
        };
        let sealed = Secret::parse(&oauth.seal_access(&access(u64::MAX)).unwrap()).unwrap();
        let (token, base, client) = oauth.verify(&sealed).unwrap();
        assert_eq!(
            (token.expose(), base.as_str(), client.as_deref()),
            ("tok_user", "https://api.au.intercom.io", Some("client-1"))
        );
        let expired =
            Secret::parse(&oauth.seal_access(&access(grants::now() - 1)).unwrap()).unwrap();
        assert!(oauth.verify(&expired).is_none());
    }
}
