//! An OAuth deployment on loopback: a mock Intercom (consent page, code exchange, `GET /me` in
//! two regions), replicas of the HTTP server with `--oauth` sharing a key, and a test client
//! that goes through discovery, registration, PKCE, our consent page, authorization and the
//! token exchange (that client's side is `oauth/client.rs`).

use std::net::SocketAddr;
use std::sync::Arc;

use intercom_mcp::auth::OAuth;
use intercom_mcp::http;
use intercom_mcp::server::IntercomServer;
use serde_json::json;
use tokio::sync::oneshot;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::RecordingClock;

mod client;
// Each test binary takes in all of `common` and uses some of the flow (as `dead_code` is
// allowed for the rest in `mod.rs`).
#[allow(unused_imports)]
pub use client::{
    authorize, authorize_s256, browser, list_tags, location, pkce, query, redeem, register,
    sign_in, token,
};

pub const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const APP_ID: &str = "intercom-app-id";
pub const APP_SECRET: &str = "intercom-app-secret";
/// The code Intercom's consent page hands back, and the user's token it trades for.
pub const INTERCOM_CODE: &str = "intercom-code-42";
pub const USER_TOKEN: &str = "dG9rOnVzZXJfaW4tZXU";
pub const CLIENT_REDIRECT: &str = "http://127.0.0.1:9/callback";

/// Intercom: `/oauth` (the consent page: the user says yes at once), the code exchange, and
/// the regions: the US one refuses the user's token, the EU one knows it.
pub struct Intercom {
    pub oauth: MockServer,
    pub us: MockServer,
    pub eu: MockServer,
}

/// The consent page: redirects to the `redirect_uri` it was given with Intercom's code and
/// the `state` it was given, as Intercom does once the user approves.
struct Consent;

impl Respond for Consent {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        let Some(back) = query("redirect_uri") else {
            return ResponseTemplate::new(400);
        };
        let mut back = reqwest::Url::parse(&back).unwrap();
        back.query_pairs_mut()
            .append_pair("code", INTERCOM_CODE)
            .append_pair("state", &query("state").unwrap_or_default());
        ResponseTemplate::new(302).insert_header("location", back.as_str())
    }
}

impl Intercom {
    pub async fn start() -> Self {
        let (oauth, us, eu) = (
            MockServer::start().await,
            MockServer::start().await,
            MockServer::start().await,
        );
        Mock::given(method("GET"))
            .and(path("/oauth"))
            .respond_with(Consent)
            .mount(&oauth)
            .await;
        Mock::given(method("POST"))
            .and(path("/auth/eagle/token"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string(format!(
                "code={INTERCOM_CODE}&client_id={APP_ID}&client_secret={APP_SECRET}"
            )))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"token": USER_TOKEN, "token_type": "Bearer"})),
            )
            .mount(&oauth)
            .await;
        Mock::given(method("GET"))
            .and(path("/me"))
            .respond_with(ResponseTemplate::new(401).set_body_json(json!({
                "type": "error.list", "errors": [{"code": "unauthorized", "message": "no"}]
            })))
            .mount(&us)
            .await;
        Mock::given(method("GET"))
            .and(path("/me"))
            .and(header(
                "authorization",
                format!("Bearer {USER_TOKEN}").as_str(),
            ))
            .and(header("intercom-version", "2.11"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"type": "admin", "id": "991"})),
            )
            .mount(&eu)
            .await;
        Self { oauth, us, eu }
    }

    /// The EU workspace answers `GET /tags` with one tag named `name`, exactly `times` times,
    /// and only with the user's own token.
    pub async fn serve_tags(&self, name: &str, times: u64) {
        Mock::given(method("GET"))
            .and(path("/tags"))
            .and(header(
                "authorization",
                format!("Bearer {USER_TOKEN}").as_str(),
            ))
            .and(header("intercom-version", "2.11"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "type": "list", "data": [{"type": "tag", "id": "17", "name": name}]
            })))
            .expect(times)
            .mount(&self.eu)
            .await;
    }

    /// The environment an `--oauth` server gets, pointed at this mock.
    pub fn env(&self, key: &str) -> Vec<(String, String)> {
        [
            ("INTERCOM_OAUTH_CLIENT_ID", APP_ID.to_owned()),
            ("INTERCOM_OAUTH_CLIENT_SECRET", APP_SECRET.to_owned()),
            ("INTERCOM_MCP_TOKEN_KEY", key.to_owned()),
            // The client ID metadata documents of the tests are on this loopback mock.
            ("INTERCOM_OAUTH_DOCUMENTS_ON_LOOPBACK", "1".to_owned()),
            (
                "INTERCOM_OAUTH_AUTHORIZE_URL",
                format!("{}/oauth", self.oauth.uri()),
            ),
            (
                "INTERCOM_OAUTH_TOKEN_URL",
                format!("{}/auth/eagle/token", self.oauth.uri()),
            ),
            (
                "INTERCOM_OAUTH_REGION_URLS",
                format!(
                    "us={},eu={},au=http://127.0.0.1:9",
                    self.us.uri(),
                    self.eu.uri()
                ),
            ),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }
}

/// One replica of the server with `--oauth`.
pub struct Replica {
    pub address: SocketAddr,
    pub oauth: Arc<OAuth>,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Replica {
    /// A replica answering at `public_url` (its own address when `None`), keyed with `key`.
    pub async fn start(intercom: &Intercom, key: &str, public_url: Option<&str>) -> Self {
        Self::start_with(intercom, key, public_url, &[]).await
    }

    /// As [`Replica::start`], with more environment (`INTERCOM_MCP_STATE_URL`).
    pub async fn start_with(
        intercom: &Intercom,
        key: &str,
        public_url: Option<&str>,
        vars: &[(&str, &str)],
    ) -> Self {
        let mut env = intercom.env(key);
        env.extend(
            vars.iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        );
        Self::start_with_env(intercom, public_url, env).await
    }

    /// A replica with exactly the environment `env` (e.g. [`Intercom::env`] less a setting).
    pub async fn start_with_env(
        intercom: &Intercom,
        public_url: Option<&str>,
        env: Vec<(String, String)>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let public_url = public_url.map_or_else(|| format!("http://{address}"), str::to_owned);
        let lookup = |name: &str| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        // The configured base URL is the US mock's: calls must go where the token's region is.
        // Of the environment, the server's own configuration takes only the audit trail.
        let audit: Vec<(&str, &str)> = env
            .iter()
            .filter(|(name, _)| name == "INTERCOM_MCP_AUDIT_LOG")
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let config = super::config(&audit, &intercom.us.uri());
        let http_client = intercom_mcp::intercom::http_client(&config).unwrap();
        let oauth = Arc::new(OAuth::resolve(Some(public_url), http_client, lookup).unwrap());
        let options =
            http::Options::resolve_with(&config, address, Some(Arc::clone(&oauth)), lookup)
                .unwrap();
        let server =
            IntercomServer::per_request(&config, Arc::new(RecordingClock::default())).unwrap();
        let router = http::router(server, &options, config.limits.max_request_bytes);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(http::serve(listener, router, async {
            let _ = stopped.await;
        }));
        Self {
            address,
            oauth,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

/// Where a server answers: an in-process [`Replica`] or the binary.
pub trait Base {
    fn url(&self, path: &str) -> String;
}

impl Base for Replica {
    fn url(&self, path: &str) -> String {
        Replica::url(self, path)
    }
}
