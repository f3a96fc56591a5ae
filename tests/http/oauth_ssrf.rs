//! Client ID metadata documents are fetched tightly: a `client_id` URL whose host is a special
//! address (IANA's special-purpose registries, IPv4, IPv6 and IPv6 carrying IPv4), or a name
//! that resolves to one, is refused before anything is dialled; and a proxy set in the
//! environment is never used, since it would resolve names itself. A listener stands where
//! each connection would go and counts what reaches it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::oauth::{CLIENT_REDIRECT, Intercom, KEY, Replica, authorize_s256, pkce};
use crate::oauth_binary::start_with;

const LIFT: &str = "INTERCOM_OAUTH_DOCUMENTS_ON_LOOPBACK";

/// A loopback listener that counts the connections made to it; its port.
async fn listener() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((_stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, accepted)
}

/// [`Intercom::env`] without the tests' loopback lift: the server as deployed.
fn deployed(intercom: &Intercom) -> Vec<(String, String)> {
    let mut env = intercom.env(KEY);
    env.retain(|(name, _)| name != LIFT);
    env
}

/// A host of each special block, as written in a URL.
const SPECIAL_HOSTS: &[&str] = &[
    "0.0.0.0",
    "0.1.2.3",
    "10.1.2.3",
    "100.64.0.1",
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f.0.0.1",
    "169.254.169.254",
    "172.16.0.1",
    "192.0.0.170",
    "192.0.2.1",
    "192.88.99.1",
    "192.168.1.1",
    "198.18.0.1",
    "198.19.255.254",
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "[::]",
    "[::1]",
    "[::7f00:1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:169.254.169.254]",
    "[::ffff:0:a00:1]",
    "[64:ff9b::127.0.0.1]",
    "[64:ff9b::10.0.0.1]",
    "[64:ff9b:1::a00:1]",
    "[100::1]",
    "[2001::a00:1]",
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
    "[2001:2::1]",
    "[2001:db8::1]",
    "[2002:7f00:1::1]",
    "[2002:a9fe:a9fe::1]",
    "[3fff::1]",
    "[fc00::1]",
    "[fd00:ec2::254]",
    "[fe80::1]",
    "[fec0::1]",
    "[ff02::1]",
];

#[tokio::test]
async fn client_id_urls_on_special_addresses_are_refused_before_any_connection() {
    let intercom = Intercom::start().await;
    let replica = Replica::start_with_env(&intercom, None, deployed(&intercom)).await;
    let (port, accepted) = listener().await;
    let (_, challenge) = pkce("ssrf");
    for host in SPECIAL_HOSTS {
        let client_id = format!("https://{host}:{port}/app.json");
        let answer = authorize_s256(&replica, &client_id, &challenge, &[]).await;
        assert_eq!(answer.status(), 400, "{client_id}");
        let text = answer.text().await.unwrap();
        assert!(text.contains("not a public address"), "{client_id}: {text}");
    }
    // A name is checked by what it resolves to: `localhost` is loopback, on any resolver.
    let client_id = format!("https://localhost:{port}/app.json");
    let answer = authorize_s256(&replica, &client_id, &challenge, &[]).await;
    assert_eq!(answer.status(), 400);
    let text = answer.text().await.unwrap();
    assert!(text.contains("could not be fetched"), "{text}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        0,
        "a special address was dialled"
    );

    // The listener would have seen a fetch: with the tests' lift, the same URL is dialled.
    let lifted = Replica::start(&intercom, KEY, None).await;
    let client_id = format!("https://127.0.0.1:{port}/app.json");
    let answer = authorize_s256(&lifted, &client_id, &challenge, &[]).await;
    assert_eq!(answer.status(), 400);
    assert!(accepted.load(Ordering::SeqCst) >= 1);
}

/// The proxy variables reqwest reads, in both spellings, all pointing at `port`.
fn proxied(mut env: Vec<(String, String)>, port: u16) -> Vec<(String, String)> {
    for name in ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"] {
        let proxy = format!("http://127.0.0.1:{port}");
        env.push((name.to_owned(), proxy.clone()));
        env.push((name.to_lowercase(), proxy));
    }
    env
}

#[tokio::test]
async fn a_proxy_in_the_environment_is_never_used_for_documents() {
    let intercom = Intercom::start().await;
    let (proxy_port, proxied_connections) = listener().await;

    // As deployed: a name that resolves to loopback is refused, and the proxy, which would
    // have resolved it for us, is not asked either.
    let deployed_server = start_with(&proxied(deployed(&intercom), proxy_port)).await;
    let (_, challenge) = pkce("proxy");
    for client_id in [
        "https://localhost:8443/app.json".to_owned(),
        format!("https://localhost:{proxy_port}/app.json"),
        "https://127.0.0.1/app.json".to_owned(),
    ] {
        let answer = authorize_s256(&deployed_server, &client_id, &challenge, &[]).await;
        assert_eq!(answer.status(), 400, "{client_id}");
    }
    assert_eq!(
        proxied_connections.load(Ordering::SeqCst),
        0,
        "a document fetch went to the proxy"
    );

    // With the tests' lift, documents on loopback are fetched, straight from where they are.
    let lifted_server = start_with(&proxied(intercom.env(KEY), proxy_port)).await;
    let port = reqwest::Url::parse(&intercom.oauth.uri())
        .unwrap()
        .port()
        .unwrap();
    for (name, client_id) in [
        (
            "by-address",
            format!("{}/by-address.json", intercom.oauth.uri()),
        ),
        ("by-name", format!("http://localhost:{port}/by-name.json")),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/{name}.json")))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"client_id": client_id, "redirect_uris": [CLIENT_REDIRECT]}),
                ),
            )
            .expect(1)
            .mount(&intercom.oauth)
            .await;
        let answer = authorize_s256(&lifted_server, &client_id, &challenge, &[]).await;
        assert_eq!(answer.status(), 302, "{client_id}");
    }
    assert_eq!(
        proxied_connections.load(Ordering::SeqCst),
        0,
        "a document fetch went to the proxy"
    );
}
