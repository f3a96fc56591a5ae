//! Bounded HTTP (issue 24, item 6): JSON-RPC errors that always carry an `id`, bodies refused
//! by their declared length before they are read, partial heads, idle connections and slow
//! bodies that time out instead of holding connections, and a cap on connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use intercom_mcp::http;
use intercom_mcp::server::IntercomServer;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::common::deploy::deploy;
use crate::common::{RecordingClock, TOKEN};

#[tokio::test]
async fn a_posted_json_rpc_response_is_refused_with_an_id_member() {
    let deployment = deploy(&[]).await;
    let bearer = format!("Bearer {TOKEN}");
    for body in [
        json!({"jsonrpc": "2.0", "id": 1, "result": {}}),
        json!({"jsonrpc": "2.0", "id": "s", "error": {"code": 1, "message": "x"}}),
    ] {
        let response = deployment
            .post(&[("authorization", &bearer)], body.clone())
            .await;
        assert_eq!(response.status(), 400, "{body}");
        let reply: Value = response.json().await.unwrap();
        assert_eq!(reply["error"]["code"], -32600, "{reply}");
        assert_eq!(reply.get("id"), Some(&Value::Null), "{reply}");
    }
    assert_eq!(deployment.sent().await, 0);
}

#[tokio::test]
async fn an_id_written_as_a_float_is_refused_over_http_too() {
    let deployment = deploy(&[]).await;
    let bearer = format!("Bearer {TOKEN}");
    let response = reqwest::Client::new()
        .post(deployment.url())
        .header("authorization", &bearer)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(r#"{"jsonrpc":"2.0","id":1.0e2,"method":"tools/call","params":{"name":"intercomListTags"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    assert_eq!(reply["id"], Value::Null, "{reply}");
    assert_eq!(deployment.sent().await, 0);
}

/// A server on loopback within `bounds` and a body timeout of 1 s, with the default settings
/// otherwise.
async fn bounded(bounds: http::Bounds, vars: &[(&str, &str)]) -> SocketAddr {
    let config = crate::common::config(vars, "http://127.0.0.1:9");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let options = http::Options::resolve(&config, address, |_| None).unwrap();
    serve(&config, &options, listener, bounds);
    address
}

/// Serves `options` on `listener` within `bounds`, with a body timeout of 1 s.
fn serve(
    config: &intercom_mcp::config::Config,
    options: &http::Options,
    listener: TcpListener,
    bounds: http::Bounds,
) {
    let server = IntercomServer::per_request(config, Arc::new(RecordingClock::default())).unwrap();
    let router = http::router_with(
        server,
        options,
        config.limits.max_request_bytes,
        Duration::from_secs(1),
    );
    tokio::spawn(http::serve_with(
        listener,
        router,
        bounds,
        std::future::pending(),
    ));
}

/// Sends `request` on a new connection and reads the answer's head (or what came before the
/// connection closed).
async fn exchange(address: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = async {
        while !answer.windows(4).any(|window| window == b"\r\n\r\n") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => answer.extend_from_slice(&buffer[..read]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("an answer within 5 s");
    String::from_utf8_lossy(&answer).into_owned()
}

fn post_head(address: SocketAddr, framing: &str) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n\
         {framing}\r\n\r\n"
    )
}

#[tokio::test]
async fn an_over_size_length_is_refused_before_the_body_and_broken_framing_is_a_bad_request() {
    let address = bounded(
        http::Bounds::default(),
        &[("INTERCOM_MAX_REQUEST_BYTES", "1024")],
    )
    .await;
    // A declared length over the limit, and a short body that never completes it.
    let request = post_head(address, "Content-Length: 1025") + "{\"jsonrpc\"";
    let answer = exchange(address, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // A chunked body that turns out over the limit.
    let chunk = "x".repeat(2000);
    let request =
        post_head(address, "Transfer-Encoding: chunked") + &format!("7d0\r\n{chunk}\r\n0\r\n\r\n");
    let answer = exchange(address, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // A chunk-size line that is not hexadecimal: malformed, not too large.
    let request = post_head(address, "Transfer-Encoding: chunked") + "zz\r\n{}\r\n0\r\n\r\n";
    let answer = exchange(address, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
}

/// How many partial heads this process can hold open alongside the server's side of each:
/// 1,000 unless the soft limit on open files is too low for that.
fn partial_heads() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|soft| soft.parse::<usize>().ok())
        .unwrap_or(1024);
    1_000.min(soft.saturating_sub(200) / 2)
}

#[tokio::test]
async fn partial_heads_do_not_stop_healthz_and_are_closed_at_the_header_timeout() {
    let timeout = Duration::from_secs(2);
    let bounds = http::Bounds {
        header_timeout: timeout,
        ..http::Bounds::default()
    };
    let address = bounded(bounds, &[]).await;
    let count = partial_heads();
    let mut slow = Vec::new();
    for _ in 0..count {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nX-Slow: ").as_bytes())
            .await
            .unwrap();
        slow.push(stream);
    }
    let started = Instant::now();
    let answer = exchange(
        address,
        format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() < timeout,
        "healthz took {:?}",
        started.elapsed()
    );
    // Each partial head is closed by the server once the header timeout has passed.
    let closed = slow.into_iter().map(|mut stream| async move {
        let mut rest = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest))
            .await
            .is_ok()
    });
    let closed = futures_closed(closed).await;
    assert_eq!(closed, count, "partial heads closed by the server");
    println!("{count} partial heads: healthz answered, all closed after {timeout:?}");
}

async fn futures_closed(
    closing: impl Iterator<Item = impl Future<Output = bool> + Send + 'static>,
) -> usize {
    let mut set = tokio::task::JoinSet::new();
    for closed in closing {
        set.spawn(closed);
    }
    set.join_all()
        .await
        .into_iter()
        .filter(|closed| *closed)
        .count()
}

#[tokio::test]
async fn at_the_connection_cap_new_connections_wait_for_a_free_one() {
    let bounds = http::Bounds {
        header_timeout: Duration::from_secs(2),
        max_connections: 10,
    };
    let address = bounded(bounds, &[]).await;
    let mut held = Vec::new();
    for _ in 0..10 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        held.push(stream);
    }
    // Let the server accept all ten before the eleventh arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let answer = exchange(
        address,
        format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes(),
    )
    .await;
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Served only once the held connections timed out and freed their places.
    assert!(
        waited >= Duration::from_millis(1_500),
        "served after {waited:?}"
    );
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_refused() {
    let address = bounded(http::Bounds::default(), &[]).await;
    let request = post_head(address, "Content-Length: 100") + "{\"jsonrpc\"";
    let started = Instant::now();
    let answer = exchange(address, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_at_the_header_timeout() {
    let timeout = Duration::from_secs(1);
    let bounds = http::Bounds {
        header_timeout: timeout,
        ..http::Bounds::default()
    };
    let address = bounded(bounds, &[]).await;
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut seen))
        .await
        .expect("the server closes the idle connection")
        .unwrap();
    assert!(String::from_utf8_lossy(&seen).starts_with("HTTP/1.1 200"));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

/// The OAuth endpoints read their bodies under the same deadline as `/mcp`: a slow POST to
/// `/register` cannot hold a connection, and its place under the cap, for as long as it likes.
#[tokio::test]
async fn an_oauth_body_that_does_not_arrive_in_time_is_refused() {
    use crate::common::oauth::{Intercom, KEY};
    let intercom = Intercom::start().await;
    let env = intercom.env(KEY);
    let lookup = |name: &str| {
        env.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let config = crate::common::config(&[], &intercom.us.uri());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let http_client = intercom_mcp::intercom::http_client(&config).unwrap();
    let oauth =
        intercom_mcp::auth::OAuth::resolve(Some(format!("http://{address}")), http_client, lookup)
            .unwrap();
    let options =
        http::Options::resolve_with(&config, address, Some(Arc::new(oauth)), lookup).unwrap();
    serve(&config, &options, listener, http::Bounds::default());
    let request = format!(
        "POST /register HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"redirect_uris\""
    );
    let started = Instant::now();
    let answer = exchange(address, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}
