//! One use, everywhere: codes, refresh tokens and flow states are each accepted once, on one
//! replica (the in-process store) and across two replicas sharing a real `redis-server`
//! (INTERCOM_MCP_STATE_URL); a reused refresh token revokes its family; a retry within the
//! grace window is not theft; tokens sealed before families are honored once; and with Redis
//! gone, code, refresh and callback requests fail closed while live access tokens still work,
//! and work again when it is back.

use intercom_mcp::auth::grants::{REFRESH_TTL, Refresh, now};
use intercom_mcp::auth::seal::{Kind, Sealer};
use serde_json::Value;

use crate::common;
use crate::common::oauth::{
    CLIENT_REDIRECT, Intercom, KEY, Replica, USER_TOKEN, authorize_s256, browser, location, pkce,
    query, redeem, register, sign_in, token,
};
use crate::common::redis::Redis;

/// Two replicas at one public URL sharing `redis`.
async fn shared(intercom: &Intercom, redis: &Redis) -> (Replica, Replica) {
    let url = redis.url();
    let vars = [("INTERCOM_MCP_STATE_URL", url.as_str())];
    let first = Replica::start_with(intercom, KEY, None, &vars).await;
    let public = first.url("");
    let second = Replica::start_with(intercom, KEY, Some(&public), &vars).await;
    (first, second)
}

/// A code for `client_id`, signed in at `replica`, and its PKCE verifier.
async fn code(replica: &Replica, client_id: &str, seed: &str) -> (String, String) {
    let (verifier, challenge) = pkce(seed);
    (sign_in(replica, client_id, &challenge).await, verifier)
}

/// Signed in at `replica`: the first refresh token.
async fn refresh_token(replica: &Replica, client_id: &str, seed: &str) -> String {
    let (code, verifier) = code(replica, client_id, seed).await;
    let (status, body) = redeem(replica, client_id, &code, &verifier).await;
    assert_eq!(status, 200, "{body}");
    body["refresh_token"].as_str().unwrap().to_owned()
}

async fn refresh(replica: &Replica, client_id: &str, refresh: &str) -> (u16, Value) {
    token(
        replica,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", client_id),
        ],
    )
    .await
}

/// A refresh that works: the next refresh token.
async fn rotate(replica: &Replica, client_id: &str, presented: &str) -> String {
    let (status, body) = refresh(replica, client_id, presented).await;
    assert_eq!(status, 200, "{body}");
    body["refresh_token"].as_str().unwrap().to_owned()
}

async fn refused(replica: &Replica, client_id: &str, presented: &str, why: &str) {
    let (status, body) = refresh(replica, client_id, presented).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let description = body["error_description"].as_str().unwrap();
    assert!(description.contains(why), "{description}");
}

/// A code redeemed at `a` is refused at `b`, and the other way round.
async fn codes_are_used_once(a: &Replica, b: &Replica) {
    let client_id = register(a, CLIENT_REDIRECT).await;
    for (first, then) in [(a, b), (b, a)] {
        let (code, verifier) = code(first, &client_id, "once-code").await;
        assert_eq!(redeem(then, &client_id, &code, &verifier).await.0, 200);
        let (status, body) = redeem(first, &client_id, &code, &verifier).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("already been used")
        );
    }
}

/// T0 → T1 → T2, then T0 again: the family is revoked, and T2 is refused too; another
/// sign-in is a family of its own and still refreshes.
async fn reuse_revokes_the_family(a: &Replica, b: &Replica) {
    let client_id = register(a, CLIENT_REDIRECT).await;
    let t0 = refresh_token(a, &client_id, "family-one").await;
    let other = refresh_token(a, &client_id, "family-two").await;
    let t1 = rotate(b, &client_id, &t0).await;
    let t2 = rotate(a, &client_id, &t1).await;
    refused(b, &client_id, &t0, "already used").await;
    refused(a, &client_id, &t2, "revoked").await;
    refused(b, &client_id, &t1, "revoked").await;
    rotate(b, &client_id, &other).await;
}

/// T0 → T1, whose answer is lost; T0 again at once gets T1'. T1' works; T1, if it turns up
/// later, is reuse and revokes the family.
async fn a_retry_in_the_grace_window_is_not_theft(a: &Replica, b: &Replica) {
    let client_id = register(a, CLIENT_REDIRECT).await;
    let t0 = refresh_token(a, &client_id, "retry").await;
    let lost = rotate(a, &client_id, &t0).await;
    let retried = rotate(b, &client_id, &t0).await;
    let t2 = rotate(a, &client_id, &retried).await;
    refused(b, &client_id, &lost, "already used").await;
    refused(a, &client_id, &t2, "revoked").await;
    // A second retry of the same token is not a lost answer: reuse.
    let t0 = refresh_token(a, &client_id, "retry-twice").await;
    rotate(a, &client_id, &t0).await;
    let again = rotate(b, &client_id, &t0).await;
    refused(a, &client_id, &t0, "already used").await;
    refused(b, &client_id, &again, "revoked").await;
}

/// Intercom's answer for one flow state reaches the callback twice: one code, one exchange.
async fn flow_states_are_answered_once(intercom: &Intercom, a: &Replica, b: &Replica) {
    let client_id = register(a, CLIENT_REDIRECT).await;
    let (_, challenge) = pkce("flow-once");
    let consent = location(&authorize_s256(a, &client_id, &challenge, &[]).await);
    let back = browser().get(consent.as_str()).send().await.unwrap();
    let callback = location(&back);
    let exchanges = intercom.oauth.received_requests().await.unwrap().len();
    let first = browser().get(callback.as_str()).send().await.unwrap();
    assert_eq!(first.status(), 302);
    assert!(query(&location(&first), "code").is_some());
    let path = format!("{}?{}", callback.path(), callback.query().unwrap());
    let again = browser().get(b.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), 400);
    assert!(again.headers().get("location").is_none());
    assert!(again.text().await.unwrap().contains("already completed"));
    // The consent page once, and one code exchange: the replay reached no one.
    let received = intercom.oauth.received_requests().await.unwrap().len();
    assert_eq!(received, exchanges + 1);
}

#[tokio::test]
async fn one_replica_accepts_each_code_refresh_token_and_flow_state_once() {
    let intercom = Intercom::start().await;
    let one = Replica::start(&intercom, KEY, None).await;
    codes_are_used_once(&one, &one).await;
    reuse_revokes_the_family(&one, &one).await;
    a_retry_in_the_grace_window_is_not_theft(&one, &one).await;
    flow_states_are_answered_once(&intercom, &one, &one).await;
}

#[tokio::test]
async fn two_replicas_sharing_redis_accept_each_code_refresh_token_and_flow_state_once() {
    let Some(redis) = Redis::start() else { return };
    let intercom = Intercom::start().await;
    let (a, b) = shared(&intercom, &redis).await;
    codes_are_used_once(&a, &b).await;
    reuse_revokes_the_family(&a, &b).await;
    a_retry_in_the_grace_window_is_not_theft(&a, &b).await;
    flow_states_are_answered_once(&intercom, &a, &b).await;
}

#[tokio::test]
async fn replicas_without_a_shared_store_each_remember_only_their_own() {
    // What INTERCOM_MCP_STATE_URL is for: without it, the second replica does not know.
    let intercom = Intercom::start().await;
    let a = Replica::start(&intercom, KEY, None).await;
    let b = Replica::start(&intercom, KEY, Some(&a.url(""))).await;
    let client_id = register(&a, CLIENT_REDIRECT).await;
    let (code, verifier) = code(&a, &client_id, "unshared").await;
    assert_eq!(redeem(&a, &client_id, &code, &verifier).await.0, 200);
    assert_eq!(redeem(&b, &client_id, &code, &verifier).await.0, 200);
}

#[tokio::test]
async fn a_refresh_token_sealed_before_families_is_honored_once() {
    let intercom = Intercom::start().await;
    let one = Replica::start(&intercom, KEY, None).await;
    let client_id = register(&one, CLIENT_REDIRECT).await;
    let legacy = Refresh {
        client_id: client_id.clone(),
        token: USER_TOKEN.to_owned(),
        region: "eu".to_owned(),
        exp: now() + REFRESH_TTL,
        family: None,
    };
    let sealed = Sealer::new(KEY, &one.url(""))
        .unwrap()
        .seal(Kind::Refresh, &legacy)
        .unwrap();
    let t1 = rotate(&one, &client_id, &sealed).await;
    let t2 = rotate(&one, &client_id, &t1).await;
    refused(&one, &client_id, &sealed, "already used").await;
    refused(&one, &client_id, &t2, "revoked").await;
}

#[tokio::test]
async fn with_redis_gone_code_refresh_and_callback_requests_fail_closed() {
    let Some(mut redis) = Redis::start() else {
        return;
    };
    let intercom = Intercom::start().await;
    intercom.serve_tags("still-signed-in", 1).await;
    let (a, b) = shared(&intercom, &redis).await;
    let client_id = register(&a, CLIENT_REDIRECT).await;
    let (code, verifier) = code(&a, &client_id, "down-code").await;
    let (status, tokens) = {
        let (c, v) = self::code(&a, &client_id, "down-tokens").await;
        redeem(&b, &client_id, &c, &v).await
    };
    assert_eq!(status, 200, "{tokens}");
    let (_, challenge) = pkce("down-flow");
    let consent = location(&authorize_s256(&a, &client_id, &challenge, &[]).await);
    let callback = location(&browser().get(consent.as_str()).send().await.unwrap());

    redis.stop();
    let unavailable = |(status, body): (u16, Value)| {
        assert_eq!(
            (status, body["error"].as_str()),
            (503, Some("temporarily_unavailable")),
            "{body}"
        );
        assert!(!body.to_string().contains("redis://"));
    };
    unavailable(redeem(&a, &client_id, &code, &verifier).await);
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    unavailable(refresh(&b, &client_id, refresh_token).await);
    let answer = browser().get(callback.as_str()).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let back = location(&answer);
    assert!(back.as_str().starts_with(CLIENT_REDIRECT));
    assert_eq!(
        query(&back, "error").as_deref(),
        Some("temporarily_unavailable")
    );
    assert!(query(&back, "code").is_none());
    // A replica that never reached it fails closed the same way.
    let url = redis.url();
    let vars = [("INTERCOM_MCP_STATE_URL", url.as_str())];
    let late = Replica::start_with(&intercom, KEY, Some(&a.url("")), &vars).await;
    unavailable(refresh(&late, &client_id, refresh_token).await);
    // A live access token does not ask the store: it works until it expires.
    let access = tokens["access_token"].as_str().unwrap();
    let tags = common::oauth::list_tags(&a, access).await;
    assert!(tags.contains("still-signed-in"));
    // Back: both kinds of replica reconnect, and the refused refresh token was not spent.
    redis.restart();
    let next = rotate(&b, &client_id, refresh_token).await;
    rotate(&late, &client_id, &next).await;
}
