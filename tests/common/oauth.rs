//! An OAuth deployment on loopback: a mock Intercom (consent page, code exchange, `GET /me` in
//! two regions), replicas of the HTTP server with `--oauth` sharing a key, and a test client
//! that goes through discovery, registration, PKCE, our consent page, authorization and the
//! token exchange.

use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use intercom_mcp::auth::OAuth;
use intercom_mcp::http;
use intercom_mcp::server::IntercomServer;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::RecordingClock;
use super::consent::approve;

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

/// A client that does not follow redirects: each hop of the flow is looked at.
pub fn browser() -> reqwest::Client {
    // reqwest is built without a TLS provider of its own (as the server installs it).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A PKCE pair (RFC 7636): the verifier and its S256 challenge.
pub fn pkce(seed: &str) -> (String, String) {
    let verifier = format!("{seed:-<50}");
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    (verifier, URL_SAFE_NO_PAD.encode(digest.as_ref()))
}

pub fn location(response: &reqwest::Response) -> reqwest::Url {
    let location = response.headers()["location"].to_str().unwrap();
    reqwest::Url::parse(location).unwrap()
}

pub fn query(url: &reqwest::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// RFC 7591 registration with one redirect URI; the client id.
pub async fn register(replica: &impl Base, redirect_uri: &str) -> String {
    let answer = browser()
        .post(replica.url("/register"))
        .json(&json!({"redirect_uris": [redirect_uri], "client_name": "test client"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["token_endpoint_auth_method"], "none");
    body["client_id"].as_str().unwrap().to_owned()
}

/// `/authorize` with these query parameters, as a user who approves the client on our consent
/// page; the answer, not followed. A good request shows the page once and the answer is the
/// approval's (on to Intercom). A refused one is sent again from a browser that approved the
/// client and redirect URI earlier ([`approve`]), when those are good: its errors then go back
/// to the client.
pub async fn authorize(replica: &impl Base, params: &[(&str, &str)]) -> reqwest::Response {
    let get = || browser().get(replica.url("/authorize")).query(params);
    let first = get().send().await.unwrap();
    match first.status().as_u16() {
        200 => {
            let csrf = super::consent::cookie(&first, super::consent::CSRF_COOKIE).unwrap();
            let token = super::consent::form_token(&first.text().await.unwrap()).unwrap();
            super::consent::decide(replica, &token, Some(&csrf), "approve").await
        }
        400 => match approve(replica, params).await {
            Some(approval) => get().header("cookie", approval).send().await.unwrap(),
            None => first,
        },
        _ => first,
    }
}

/// `/authorize` for `client_id` with [`CLIENT_REDIRECT`], PKCE S256 and `extra` parameters.
pub async fn authorize_s256(
    replica: &impl Base,
    client_id: &str,
    challenge: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CLIENT_REDIRECT),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    authorize(replica, &params).await
}

/// From `/authorize` through Intercom's consent page and our callback: our code.
pub async fn sign_in(replica: &impl Base, client_id: &str, challenge: &str) -> String {
    let answer = authorize_s256(
        replica,
        client_id,
        challenge,
        &[("state", "client-state-1")],
    )
    .await;
    assert_eq!(answer.status(), 302);
    let consent = location(&answer);
    let back = browser().get(consent.as_str()).send().await.unwrap();
    assert_eq!(back.status(), 302);
    let callback = location(&back);
    let answer = browser().get(callback.as_str()).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let to_client = location(&answer);
    assert_eq!(
        query(&to_client, "state").as_deref(),
        Some("client-state-1")
    );
    query(&to_client, "code").expect("a code for the client")
}

/// The authorization_code grant for `code` with its PKCE `verifier`: status and JSON body.
pub async fn redeem(
    replica: &impl Base,
    client_id: &str,
    code: &str,
    verifier: &str,
) -> (u16, Value) {
    token(
        replica,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", client_id),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// POST `/token` with a form; status and JSON body.
pub async fn token(replica: &impl Base, form: &[(&str, &str)]) -> (u16, Value) {
    let answer = browser()
        .post(replica.url("/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

/// Lists the tags through MCP with `access` as the bearer token; the result's text.
pub async fn list_tags(replica: &impl Base, access: &str) -> String {
    let config =
        StreamableHttpClientTransportConfig::with_uri(replica.url("/mcp")).auth_header(access);
    let client = ().serve(StreamableHttpClientTransport::from_config(config)).await.unwrap();
    let result = client
        .call_tool(CallToolRequestParams::new("intercomListTags"))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let text = result.content[0].as_text().unwrap().text.clone();
    client.cancel().await.unwrap();
    text
}
