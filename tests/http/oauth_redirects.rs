//! Redirect URIs as RFC 8252 and OAuth 2.1 say: registration takes https, http on loopback and
//! reverse-domain private-use schemes only; a loopback redirect URI may be used on any port.

use serde_json::{Value, json};

use crate::common::oauth::{
    Intercom, KEY, Replica, authorize, browser, location, pkce, query, redeem, register,
};

#[tokio::test]
async fn registration_takes_only_the_redirect_uris_rfc_8252_allows() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    for uri in [
        "https://app.example/cb",
        "http://127.0.0.1:3000/cb",
        "http://[::1]/cb",
        "http://localhost:6274/oauth/callback",
        "com.example.app:/oauth2redirect",
    ] {
        register(&replica, uri).await;
    }
    for uri in [
        "ms-msdt:/id PCWDiagnostic",
        "search-ms:query=x",
        "javascript:alert(1)",
        "data:text/html,hi",
        "file:///etc/passwd",
        "myapp:/cb",
        "http://app.example/cb",
    ] {
        let answer = browser()
            .post(replica.url("/register"))
            .json(&json!({"redirect_uris": [uri]}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{uri}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"], "invalid_redirect_uri", "{uri}");
    }
}

#[tokio::test]
async fn a_loopback_client_registered_on_one_port_signs_in_on_another() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let client_id = register(&replica, "http://127.0.0.1:3000/callback").await;
    let (verifier, challenge) = pkce("loopback-port");
    let start = |redirect_uri: &'static str| {
        let (replica, client_id, challenge) = (&replica, &client_id, &challenge);
        async move {
            authorize(
                replica,
                &[
                    ("response_type", "code"),
                    ("client_id", client_id),
                    ("redirect_uri", redirect_uri),
                    ("code_challenge", challenge),
                    ("code_challenge_method", "S256"),
                    ("state", "port-state"),
                ],
            )
            .await
        }
    };
    // Another path or host is still refused, on a page, not redirected.
    for other in [
        "http://127.0.0.1:53124/elsewhere",
        "http://localhost:53124/callback",
    ] {
        assert_eq!(start(other).await.status(), 400, "{other}");
    }
    let answer = start("http://127.0.0.1:53124/callback").await;
    assert_eq!(answer.status(), 302);
    let consent = location(&answer);
    let back = browser().get(consent.as_str()).send().await.unwrap();
    let callback = location(&back);
    let answer = browser().get(callback.as_str()).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let to_client = location(&answer);
    assert_eq!(to_client.port(), Some(53124));
    assert_eq!(to_client.path(), "/callback");
    assert_eq!(query(&to_client, "state").as_deref(), Some("port-state"));
    let code = query(&to_client, "code").unwrap();
    let (status, tokens) = redeem(&replica, &client_id, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
}
