//! With `--oauth`, when Intercom refuses a signed-in user's token (the app was uninstalled):
//! the MCP client gets HTTP 401 `invalid_token` (not a tool error), so it refreshes; the
//! refresh asks Intercom (`GET /me` in the sign-in's region) and fails with `invalid_grant`,
//! so the client signs in again instead of refreshing in a loop.

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::oauth::{
    CLIENT_REDIRECT, Intercom, KEY, Replica, USER_TOKEN, browser, pkce, redeem, register, sign_in,
    token,
};

/// Intercom's answer to a token it no longer takes.
fn refused() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(json!({"type": "error.list",
        "errors": [{"code": "token_not_found", "message": "Token not found"}]}))
}

/// A tools/call to `/mcp` with `access`: status, `WWW-Authenticate` and body.
async fn call_tool(replica: &Replica, access: &str) -> (u16, String, String) {
    let answer = browser()
        .post(replica.url("/mcp"))
        .bearer_auth(access)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "intercomListTags", "arguments": {}}})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let challenge = answer
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge, answer.text().await.unwrap())
}

#[tokio::test]
async fn a_token_intercom_refuses_gets_401_and_its_refresh_fails_with_invalid_grant() {
    let intercom = Intercom::start().await;
    intercom.serve_tags("webinar-lead", 1).await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let client_id = register(&replica, CLIENT_REDIRECT).await;
    let (verifier, challenge) = pkce("verifier-refused");
    let code = sign_in(&replica, &client_id, &challenge).await;
    let (status, tokens) = redeem(&replica, &client_id, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();

    // While Intercom takes the token, the call works.
    let (status, _, body) = call_tool(&replica, access).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("webinar-lead"), "{body}");

    // The app is uninstalled: the EU workspace refuses the user's token everywhere.
    for at in ["/tags", "/me"] {
        Mock::given(method("GET"))
            .and(path(at))
            .and(header(
                "authorization",
                format!("Bearer {USER_TOKEN}").as_str(),
            ))
            .respond_with(refused())
            .with_priority(1)
            .mount(&intercom.eu)
            .await;
    }
    let metadata = replica.url("/.well-known/oauth-protected-resource/mcp");
    for _ in 0..2 {
        let (status, challenge, body) = call_tool(&replica, access).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(
            challenge,
            format!(r#"Bearer error="invalid_token", resource_metadata="{metadata}""#)
        );
        assert_eq!(
            body,
            "Intercom no longer accepts this sign-in (the app may have been uninstalled or its \
             access revoked): refresh the token, or sign in again"
        );
        assert!(!body.contains(USER_TOKEN));
    }

    // The refresh asks Intercom first, and tells the client to sign in again.
    let (status, answer) = token(
        &replica,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"], "invalid_grant");
    assert_eq!(
        answer["error_description"],
        "Intercom no longer accepts this sign-in (the app may have been uninstalled or its \
         access revoked): sign in again"
    );
    let asked = crate::common::requests_made(&intercom.eu).await;
    // The region probe at sign-in, one call that worked, two refused, the refresh's check.
    assert_eq!(
        asked,
        ["GET /me", "GET /tags", "GET /tags", "GET /tags", "GET /me"],
        "{asked:?}"
    );
}

/// The refresh's check is only a refusal on 401: while Intercom takes the token, a refresh
/// still succeeds, and an Intercom that cannot say (5xx) does not hold a refresh back.
#[tokio::test]
async fn a_refresh_goes_on_while_intercom_takes_the_token_or_cannot_say() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let client_id = register(&replica, CLIENT_REDIRECT).await;
    let (verifier, challenge) = pkce("verifier-accepted");
    let code = sign_in(&replica, &client_id, &challenge).await;
    let (_, tokens) = redeem(&replica, &client_id, &code, &verifier).await;
    let refresh = |refresh: String| {
        let (replica, client_id) = (&replica, client_id.clone());
        async move {
            token(
                replica,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &refresh),
                    ("client_id", &client_id),
                ],
            )
            .await
        }
    };
    let (status, answer) = refresh(tokens["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(status, 200, "{answer}");
    Mock::given(method("GET"))
        .and(path("/me"))
        .respond_with(ResponseTemplate::new(503))
        .with_priority(1)
        .mount(&intercom.eu)
        .await;
    let next: Value = answer["refresh_token"].clone();
    let (status, answer) = refresh(next.as_str().unwrap().to_owned()).await;
    assert_eq!(status, 200, "{answer}");
}
