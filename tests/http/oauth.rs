//! `serve --http --oauth` end to end on loopback: discovery (RFC 9728, RFC 8414), registration
//! (RFC 7591), PKCE, Intercom's consent and code exchange (mocked), the region probe, token
//! exchange and refresh, a tool call that reaches the workspace's region with the user's own
//! Intercom token, a second replica with the same key, and what is refused.

use intercom_mcp::auth::grants::Access;
use serde_json::{Value, json};

use crate::common;
use crate::common::oauth::{
    CLIENT_REDIRECT, Intercom, KEY, Replica, USER_TOKEN, authorize, authorize_s256, browser,
    list_tags, location, pkce, query, register, sign_in, token,
};

/// A mock Intercom, a replica, and a client registered with [`CLIENT_REDIRECT`].
async fn registered() -> (Intercom, Replica, String) {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let client_id = register(&replica, CLIENT_REDIRECT).await;
    (intercom, replica, client_id)
}

/// A POST to `/mcp` with `bearer`: its status and `WWW-Authenticate`.
async fn mcp_status(replica: &Replica, bearer: Option<&str>) -> (u16, String) {
    let mut request = browser()
        .post(replica.url("/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}).to_string());
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let answer = request.send().await.unwrap();
    let challenge = answer
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (answer.status().as_u16(), challenge)
}

#[tokio::test]
async fn a_client_signs_in_through_intercom_and_calls_a_tool_in_the_workspace_region() {
    let intercom = Intercom::start().await;
    intercom.serve_tags("webinar-lead", 3).await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let public = replica.url("");

    // Discovery: the 401 names the resource metadata, which names the authorization server.
    let (status, challenge) = mcp_status(&replica, None).await;
    assert_eq!(status, 401);
    let metadata_url = format!("{public}/.well-known/oauth-protected-resource/mcp");
    assert_eq!(
        challenge,
        format!(r#"Bearer resource_metadata="{metadata_url}""#)
    );
    let get = |url: String| async move {
        let answer = browser().get(url).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        answer.json::<Value>().await.unwrap()
    };
    let resource = get(metadata_url.clone()).await;
    assert_eq!(resource["resource"], format!("{public}/mcp"));
    assert_eq!(resource["authorization_servers"], json!([public]));
    // RFC 9728 §3: also at the root, for clients that do not append the resource's path.
    assert_eq!(
        get(format!("{public}/.well-known/oauth-protected-resource")).await,
        resource
    );
    let server = get(format!("{public}/.well-known/oauth-authorization-server")).await;
    assert_eq!(server["issuer"], public);
    assert_eq!(server["token_endpoint"], format!("{public}/token"));
    assert_eq!(
        server["registration_endpoint"],
        format!("{public}/register")
    );
    assert_eq!(server["code_challenge_methods_supported"], json!(["S256"]));

    // Registration, PKCE, consent at Intercom, our code.
    let client_id = register(&replica, CLIENT_REDIRECT).await;
    let (verifier, challenge) = pkce("verifier-one");
    let indicator = format!("{public}/mcp");
    let extra = [("state", "s"), ("resource", indicator.as_str())];
    let answer = authorize_s256(&replica, &client_id, &challenge, &extra).await;
    assert_eq!(answer.status(), 302);
    let consent = location(&answer);
    assert!(
        consent
            .as_str()
            .starts_with(&format!("{}/oauth?", intercom.oauth.uri()))
    );
    assert_eq!(
        query(&consent, "client_id").as_deref(),
        Some("intercom-app-id")
    );
    assert_eq!(
        query(&consent, "redirect_uri"),
        Some(format!("{public}/oauth/callback"))
    );
    let code = sign_in(&replica, &client_id, &challenge).await;
    let (status, tokens) = token(
        &replica,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CLIENT_REDIRECT),
            ("client_id", &client_id),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert!(!access.contains(USER_TOKEN) && !refresh.contains(USER_TOKEN));

    // The call reaches the EU region (found by GET /me) with the user's own token.
    assert!(list_tags(&replica, access).await.contains("webinar-lead"));

    // A second replica with the same key and public URL accepts the same token.
    let second = Replica::start(&intercom, KEY, Some(&public)).await;
    assert!(list_tags(&second, access).await.contains("webinar-lead"));

    // Refresh, at the other replica: a new access token that works.
    let (status, refreshed) = token(
        &second,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    let fresh = refreshed["access_token"].as_str().unwrap();
    assert_ne!(fresh, access);
    assert!(list_tags(&replica, fresh).await.contains("webinar-lead"));

    // The code was used once.
    let (status, reused) = token(
        &replica,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &client_id),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(reused["error"], "invalid_grant");
    assert!(
        reused["error_description"]
            .as_str()
            .unwrap()
            .contains("already been used")
    );
}

#[tokio::test]
async fn tampered_expired_and_foreign_tokens_get_401() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let valid = replica
        .oauth
        .seal_access(&Access {
            token: USER_TOKEN.to_owned(),
            region: "eu".to_owned(),
            exp: u64::MAX,
            client_id: None,
        })
        .unwrap();
    assert_eq!(mcp_status(&replica, Some(&valid)).await.0, 200);

    let mut tampered = valid.clone().into_bytes();
    tampered[30] = if tampered[30] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let expired = replica
        .oauth
        .seal_access(&Access {
            token: USER_TOKEN.to_owned(),
            region: "eu".to_owned(),
            exp: 1,
            client_id: None,
        })
        .unwrap();
    for refused in [tampered.as_str(), expired.as_str(), USER_TOKEN] {
        let (status, challenge) = mcp_status(&replica, Some(refused)).await;
        assert_eq!(status, 401);
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_token", resource_metadata=""#),
            "{challenge}"
        );
    }
    // Same key, another deployment (audience): refused there.
    let elsewhere = Replica::start(&intercom, KEY, Some("https://other.example")).await;
    assert_eq!(mcp_status(&elsewhere, Some(&valid)).await.0, 401);
    // Another key, same audience: refused.
    let other_key = "HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=";
    let rekeyed = Replica::start(&intercom, other_key, Some(&replica.url(""))).await;
    assert_eq!(mcp_status(&rekeyed, Some(&valid)).await.0, 401);
    // Rotation: the new key first, the old one still opens.
    let rotated = Replica::start(
        &intercom,
        &format!("{other_key},{KEY}"),
        Some(&replica.url("")),
    )
    .await;
    assert_eq!(mcp_status(&rotated, Some(&valid)).await.0, 200);
    // Nothing reached Intercom's API.
    assert!(intercom.eu.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn authorization_requests_that_are_refused() {
    let (intercom, replica, client_id) = registered().await;
    let (_, challenge) = pkce("verifier-two");
    let base = |client: &str, redirect: &str| {
        vec![
            ("response_type".to_owned(), "code".to_owned()),
            ("client_id".to_owned(), client.to_owned()),
            ("redirect_uri".to_owned(), redirect.to_owned()),
            ("state".to_owned(), "st".to_owned()),
        ]
    };
    let send = |params: Vec<(String, String)>| {
        let replica = &replica;
        async move {
            let params: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            authorize(replica, &params).await
        }
    };

    // Unknown client and a redirect URI that is not the registered one: shown, never
    // redirected. (A loopback one on another port is the registered one: RFC 8252 §7.3.)
    for (client, redirect) in [
        ("not-a-client", CLIENT_REDIRECT),
        (client_id.as_str(), "http://127.0.0.1:9/callback/"),
        (client_id.as_str(), "http://localhost:9/callback"),
    ] {
        let mut params = base(client, redirect);
        params.push(("code_challenge".into(), challenge.clone()));
        params.push(("code_challenge_method".into(), "S256".into()));
        let answer = send(params).await;
        assert_eq!(answer.status(), 400, "{client} {redirect}");
        assert!(answer.headers().get("location").is_none());
    }

    // Missing PKCE, `plain`, and no method (which means plain): back to the client with an error.
    for pkce_params in [
        vec![],
        vec![
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "plain"),
        ],
        vec![("code_challenge", challenge.as_str())],
    ] {
        let mut params = base(&client_id, CLIENT_REDIRECT);
        params.extend(
            pkce_params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let answer = send(params).await;
        assert_eq!(answer.status(), 302);
        let back = location(&answer);
        assert!(back.as_str().starts_with(CLIENT_REDIRECT));
        assert_eq!(query(&back, "error").as_deref(), Some("invalid_request"));
        assert_eq!(query(&back, "state").as_deref(), Some("st"));
    }
    // None of these reached Intercom.
    assert!(intercom.oauth.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn token_requests_that_are_refused() {
    let (_intercom, replica, client_id) = registered().await;
    let other_client = register(&replica, "https://other.example/cb").await;
    let (verifier, challenge) = pkce("verifier-three");
    let code = sign_in(&replica, &client_id, &challenge).await;
    let cases: [(&str, &str, &str, &str); 4] = [
        // (client, redirect_uri, verifier, expected error)
        (&other_client, CLIENT_REDIRECT, &verifier, "invalid_grant"),
        (
            &client_id,
            "https://other.example/cb",
            &verifier,
            "invalid_grant",
        ),
        (
            &client_id,
            CLIENT_REDIRECT,
            &pkce("wrong-verifier").0,
            "invalid_grant",
        ),
        (&client_id, CLIENT_REDIRECT, "", "invalid_request"),
    ];
    for (client, redirect, verifier, error) in cases {
        let (status, body) = token(
            &replica,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", redirect),
                ("client_id", client),
                ("code_verifier", verifier),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{body}"
        );
    }
    // After those refusals the code is still good, once.
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", client_id.as_str()),
        ("code_verifier", verifier.as_str()),
    ];
    assert_eq!(token(&replica, &form).await.0, 200);
    assert_eq!(token(&replica, &form).await.0, 400);
    let (status, body) = token(
        &replica,
        &[("grant_type", "password"), ("client_id", &client_id)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn intercom_may_post_its_answer_to_the_callback() {
    let (intercom, replica, client_id) = registered().await;
    let (_, challenge) = pkce("verifier-four");
    let consent = location(&authorize_s256(&replica, &client_id, &challenge, &[]).await);
    let state = query(&consent, "state").unwrap();
    let answer = browser()
        .post(replica.url("/oauth/callback"))
        .form(&[("code", common::oauth::INTERCOM_CODE), ("state", &state)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    let back = location(&answer);
    assert!(back.as_str().starts_with(CLIENT_REDIRECT));
    assert!(query(&back, "code").is_some() && query(&back, "state").is_none());
    assert_eq!(intercom.oauth.received_requests().await.unwrap().len(), 1);
}
