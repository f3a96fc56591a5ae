//! Our consent page before Intercom's, over real HTTP: the confused-deputy attack (a client
//! registered with an attacker's redirect URI) gets nothing without the user's approval, and a
//! deny reaches neither the attacker with a code nor Intercom at all; the answer's CSRF
//! protection; remembered approvals; a hostile client name escaped under a strict CSP; errors
//! before consent shown, never redirected.

use serde_json::json;

use crate::common::consent::{
    APPROVAL_COOKIE, CSRF_COOKIE, cookie, decide, form_token, set_cookie,
};
use crate::common::oauth::{
    CLIENT_REDIRECT, Intercom, KEY, Replica, browser, location, pkce, query, register,
};

const ATTACKER: &str = "https://attacker.example/steal";

/// `/authorize` for `client_id` and `redirect_uri` with a good S256 challenge, `state` and
/// the browser's `cookies`; the answer, not followed.
async fn visit(
    replica: &Replica,
    client_id: &str,
    redirect_uri: &str,
    cookies: Option<&str>,
) -> reqwest::Response {
    let (_, challenge) = pkce("victim");
    let mut request = browser().get(replica.url("/authorize")).query(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("state", "attacker-state"),
    ]);
    if let Some(cookies) = cookies {
        request = request.header("cookie", cookies);
    }
    request.send().await.unwrap()
}

/// The consent page of a visit: its CSRF cookie (`name=value`), form token and HTML.
async fn page(answer: reqwest::Response) -> (String, String, String) {
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().get("location").is_none());
    let attributes = set_cookie(&answer, CSRF_COOKIE).expect("a CSRF cookie");
    for attribute in ["; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"] {
        assert!(attributes.contains(attribute), "{attributes}");
    }
    let csrf = cookie(&answer, CSRF_COOKIE).unwrap();
    let html = answer.text().await.unwrap();
    let token = form_token(&html).expect("a form token");
    (csrf, token, html)
}

#[tokio::test]
async fn the_confused_deputy_gets_nothing_without_approval_and_a_deny_reaches_no_one() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    // The attacker registers a client of their own and sends the victim the /authorize link.
    let attacker_client = register(&replica, ATTACKER).await;
    let (csrf, token, html) = page(visit(&replica, &attacker_client, ATTACKER, None).await).await;
    assert!(html.contains("attacker.example"), "{html}");
    assert!(html.contains("unverified") && html.contains("test client"));
    assert!(intercom.oauth.received_requests().await.unwrap().is_empty());

    // The attacker cannot answer for the victim: the victim's browser holds no cookie of the
    // attacker's page, or its own, which is not the one the token is bound to.
    let (victim_csrf, _, _) = page(visit(&replica, &attacker_client, ATTACKER, None).await).await;
    assert_ne!(victim_csrf, csrf);
    for forged in [None, Some(victim_csrf.as_str())] {
        let answer = decide(&replica, &token, forged, "approve").await;
        assert_eq!(answer.status(), 403, "{forged:?}");
        assert!(answer.headers().get("location").is_none());
        assert!(set_cookie(&answer, APPROVAL_COOKIE).is_none());
    }

    // The victim denies: the client hears access_denied, with its state, and no code.
    let answer = decide(&replica, &token, Some(&csrf), "deny").await;
    assert_eq!(answer.status(), 302);
    let back = location(&answer);
    assert!(back.as_str().starts_with(ATTACKER), "{back}");
    assert_eq!(query(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(query(&back, "state").as_deref(), Some("attacker-state"));
    assert_eq!(query(&back, "code"), None);
    assert!(set_cookie(&answer, APPROVAL_COOKIE).is_none());
    // Nothing reached Intercom: no consent page, no code exchange.
    assert!(intercom.oauth.received_requests().await.unwrap().is_empty());
    // A denied client is asked about again.
    assert_eq!(
        visit(&replica, &attacker_client, ATTACKER, None)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_answer_needs_the_form_token_and_this_browsers_cookie() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let client_id = register(&replica, CLIENT_REDIRECT).await;
    let (csrf, token, _) = page(visit(&replica, &client_id, CLIENT_REDIRECT, None).await).await;
    let refused = [
        // (token, cookie, decision, status)
        ("", Some(csrf.as_str()), "approve", 403),
        ("garbage", Some(csrf.as_str()), "approve", 403),
        (token.as_str(), None, "approve", 403),
        (
            token.as_str(),
            Some("__Host-intercom-mcp-csrf=AAAAAAAAAAAAAAAAAAAAAA"),
            "approve",
            403,
        ),
        (token.as_str(), Some(csrf.as_str()), "maybe", 400),
    ];
    for (token, cookie, decision, status) in refused {
        let answer = decide(&replica, token, cookie, decision).await;
        assert_eq!(answer.status(), status, "{token:.10} {cookie:?} {decision}");
        assert!(answer.headers().get("location").is_none());
    }
    // No token field at all.
    let answer = browser()
        .post(replica.url("/authorize/consent"))
        .header("cookie", &csrf)
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    // A form posted from another site's page.
    let answer = browser()
        .post(replica.url("/authorize/consent"))
        .header("cookie", &csrf)
        .header("origin", "https://attacker.example")
        .form(&[("token", token.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    assert!(intercom.oauth.received_requests().await.unwrap().is_empty());
    // From our own page (its Origin), with its cookie: on to Intercom.
    let answer = browser()
        .post(replica.url("/authorize/consent"))
        .header("cookie", &csrf)
        .header("origin", replica.url(""))
        .form(&[("token", token.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    assert!(
        location(&answer)
            .as_str()
            .starts_with(&format!("{}/oauth?", intercom.oauth.uri()))
    );
}

#[tokio::test]
async fn an_approval_is_remembered_per_browser_and_client() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let client_id = register(&replica, CLIENT_REDIRECT).await;
    let (csrf, token, _) = page(visit(&replica, &client_id, CLIENT_REDIRECT, None).await).await;
    let answer = decide(&replica, &token, Some(&csrf), "approve").await;
    assert_eq!(answer.status(), 302);
    let attributes = set_cookie(&answer, APPROVAL_COOKIE).unwrap();
    for attribute in ["; Path=/", "; Secure", "; HttpOnly", "; SameSite=Lax"] {
        assert!(attributes.contains(attribute), "{attributes}");
    }
    assert!(!attributes.to_ascii_lowercase().contains("domain="));
    let approval = cookie(&answer, APPROVAL_COOKIE).unwrap();
    // The CSRF cookie is spent.
    assert!(
        set_cookie(&answer, CSRF_COOKIE)
            .unwrap()
            .contains("Max-Age=0")
    );

    // Next time, this browser goes straight to Intercom.
    let answer = visit(&replica, &client_id, CLIENT_REDIRECT, Some(&approval)).await;
    assert_eq!(answer.status(), 302);
    let consent = location(&answer);
    assert!(
        consent
            .as_str()
            .starts_with(&format!("{}/oauth?", intercom.oauth.uri()))
    );
    assert!(query(&consent, "state").is_some());
    // Another browser, another client, or a tampered cookie: asked again.
    let other_client = register(&replica, CLIENT_REDIRECT).await;
    let mut tampered = approval.clone();
    tampered.insert(APPROVAL_COOKIE.len() + 12, 'x');
    for (client, cookies) in [
        (client_id.as_str(), None),
        (other_client.as_str(), Some(approval.as_str())),
        (client_id.as_str(), Some(tampered.as_str())),
    ] {
        let answer = visit(&replica, client, CLIENT_REDIRECT, cookies).await;
        assert_eq!(answer.status(), 200, "{cookies:?}");
    }
    // Another deployment with the same key does not honour it (the seal names the audience).
    let elsewhere = Replica::start(&intercom, KEY, Some("https://other.example")).await;
    let answer = visit(&elsewhere, &client_id, CLIENT_REDIRECT, Some(&approval)).await;
    assert_ne!(answer.status(), 302);
}

#[tokio::test]
async fn a_hostile_client_name_is_escaped_under_a_strict_policy() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let hostile = r#"<script>alert(1)</script><img src=x onerror="a()">&'"#;
    let answer = browser()
        .post(replica.url("/register"))
        .json(&json!({"redirect_uris": [CLIENT_REDIRECT], "client_name": hostile}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let client_id = answer.json::<serde_json::Value>().await.unwrap()["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = visit(&replica, &client_id, CLIENT_REDIRECT, None).await;
    let header = |name: &str| {
        answer
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let policy = header("content-security-policy");
    for directive in [
        "default-src 'none'",
        "style-src 'sha256-",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self' ",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!policy.contains("unsafe") && !policy.contains("script-src"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-type").starts_with("text/html"));
    assert_eq!(header("cache-control"), "no-store");
    let (_, _, html) = page(answer).await;
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;a()&quot;&gt;&amp;&#39;"),
        "{html}"
    );
}

#[tokio::test]
async fn errors_before_consent_are_shown_never_redirected() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let attacker_client = register(&replica, ATTACKER).await;
    let (_, challenge) = pkce("errors");
    // Missing PKCE, plain, a wrong response_type, a foreign resource, a bad challenge.
    for broken in [
        vec![("response_type", "code")],
        vec![
            ("response_type", "code"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "plain"),
        ],
        vec![
            ("response_type", "token"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
        vec![
            ("response_type", "code"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("resource", "https://elsewhere.example/mcp"),
        ],
        vec![
            ("response_type", "code"),
            ("code_challenge", "short"),
            ("code_challenge_method", "S256"),
        ],
    ] {
        let mut params = vec![
            ("client_id", attacker_client.as_str()),
            ("redirect_uri", ATTACKER),
            ("state", "s"),
        ];
        params.extend(broken.iter().copied());
        let answer = browser()
            .get(replica.url("/authorize"))
            .query(&params)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{broken:?}");
        assert!(answer.headers().get("location").is_none(), "{broken:?}");
        let policy = answer.headers()["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(policy.contains("form-action 'none'"), "{policy}");
        let text = answer.text().await.unwrap();
        assert!(text.contains("Sign-in refused"), "{text}");
    }
    assert!(intercom.oauth.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_page_may_answer_from_the_public_url_whatever_origins_are_allowed() {
    let intercom = Intercom::start().await;
    let app = "https://app.example";
    let mut env = intercom.env(KEY);
    env.push(("INTERCOM_MCP_ALLOWED_ORIGINS".to_owned(), app.to_owned()));
    let replica = Replica::start_with_env(&intercom, None, env).await;
    let client_id = register(&replica, CLIENT_REDIRECT).await;
    let (csrf, token, _) = page(visit(&replica, &client_id, CLIENT_REDIRECT, None).await).await;
    let post = |origin: String| {
        browser()
            .post(replica.url("/authorize/consent"))
            .header("cookie", &csrf)
            .header("origin", origin)
            .form(&[("token", token.as_str()), ("decision", "deny")])
            .send()
    };
    // An origin the operator allowed for browser clients still cannot answer for the user.
    assert_eq!(post(app.to_owned()).await.unwrap().status(), 403);
    // The page's own origin (the public URL) is let through the Origin guard, though not listed.
    assert_eq!(post(replica.url("")).await.unwrap().status(), 302);
}
