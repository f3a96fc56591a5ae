//! The test client's side of the OAuth flow: a browser that follows no redirect, PKCE,
//! registration, our consent page and `/authorize`, the sign-in through Intercom's consent
//! page, the token endpoint, and an MCP call with the access token it gives.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};

use super::super::consent::{self, approve};
use super::{Base, CLIENT_REDIRECT};

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
            let csrf = consent::cookie(&first, consent::CSRF_COOKIE).unwrap();
            let token = consent::form_token(&first.text().await.unwrap()).unwrap();
            consent::decide(replica, &token, Some(&csrf), "approve").await
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
