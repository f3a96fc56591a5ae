//! The real binary over stdio, as Claude Desktop runs it: initialize, list, call, then EOF.
//! stdout must hold JSON-RPC and nothing else, even with LOG_LEVEL=trace, and the token must
//! appear nowhere.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;

pub(crate) const TOKEN: &str = "tok_stdio_5a4b3c2d1e";

#[tokio::test]
async fn initialize_list_and_call_over_stdio_with_only_json_rpc_on_stdout() {
    let intercom = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts/c1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "contact", "id": "c1"})),
        )
        .expect(1)
        .mount(&intercom)
        .await;
    let workdir = std::env::temp_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_intercom-mcp"))
        .current_dir(workdir)
        .env_clear()
        .env("accessToken", TOKEN)
        .env("INTERCOM_BASE_URL", intercom.uri())
        .env("LOG_LEVEL", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();

    let mut send = async |message: Value| {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    };
    send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "stdio-test", "version": "1"}}}))
    .await;
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    send(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "intercomGetContact", "arguments": {"contact_id": "c1"}}}))
    .await;

    let mut replies = std::collections::BTreeMap::new();
    let mut raw_lines = Vec::new();
    while replies.len() < 3 {
        let line = tokio::time::timeout(Duration::from_secs(20), stdout.next_line())
            .await
            .expect("the server answers within 20 s")
            .unwrap()
            .expect("stdout stays open until stdin closes");
        let message: Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON on stdout: {line}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        if let Some(id) = message["id"].as_i64() {
            replies.insert(id, message.clone());
        }
        raw_lines.push(line);
    }
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exits after EOF")
        .unwrap();
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    while let Ok(Some(line)) = stdout.next_line().await {
        rest.push_str(&line);
    }
    assert!(rest.is_empty(), "stdout after the replies: {rest}");
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).await.unwrap();

    let init = &replies[&1]["result"];
    assert_eq!(init["serverInfo"]["name"], "intercom-mcp");
    assert_eq!(init["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    let list_line = raw_lines
        .iter()
        .find(|line| line.contains("\"id\":2"))
        .unwrap();
    println!("tools/list reply: {} bytes", list_line.len());
    assert!(
        list_line.len() <= 14_000,
        "tools/list reply is {} bytes",
        list_line.len()
    );
    assert_eq!(replies[&2]["result"]["tools"].as_array().unwrap().len(), 16);
    let call = &replies[&3]["result"];
    assert_eq!(call["isError"], false, "{call}");
    // The lean form: the kind `type` goes, the id stays.
    assert_eq!(call["content"][0]["text"], r#"{"id":"c1"}"#);

    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "trace logging reached stderr: {logs}"
    );
    assert!(logs.contains("intercomGetContact"), "{logs}");
    for output in raw_lines.iter().chain([&logs]) {
        assert!(!output.contains(TOKEN), "the token leaked: {output}");
    }
}

#[tokio::test]
async fn a_dot_env_file_in_the_working_directory_supplies_the_token() {
    let intercom = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/tags"))
        .and(wiremock::matchers::header(
            "authorization",
            "Bearer tok_from_dotenv",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"type": "list", "data": []})))
        .expect(1)
        .mount(&intercom)
        .await;
    let dir = std::env::temp_dir().join(format!("intercom-mcp-dotenv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".env"),
        format!(
            "accessToken=tok_from_dotenv\nINTERCOM_BASE_URL={}\n",
            intercom.uri()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_intercom-mcp"))
        .current_dir(&dir)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let input = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "intercomListTags", "arguments": {}}}),
    ];
    for message in input {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    stdin.flush().await.unwrap();
    let reply = loop {
        let line = tokio::time::timeout(Duration::from_secs(20), stdout.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let message: Value = serde_json::from_str(&line).unwrap();
        if message["id"] == 2 {
            break message;
        }
    };
    drop(stdin);
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

pub(crate) const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
"#;

#[tokio::test]
async fn sigterm_lets_a_call_in_flight_finish_then_exits_zero() {
    let intercom = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/tags"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"type": "list"}))
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&intercom)
        .await;
    let uri = intercom.uri();
    let mut child = common::spawn(&[], &[("accessToken", TOKEN), ("INTERCOM_BASE_URL", &uri)]);
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    stdin.write_all(INITIALIZE.as_bytes()).await.unwrap();
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "intercomListTags", "arguments": {}}});
    stdin
        .write_all(format!("{call}\n").as_bytes())
        .await
        .unwrap();
    stdin.flush().await.unwrap();
    // Wait for the initialize reply, then for the call to reach the mock.
    let _ = tokio::time::timeout(Duration::from_secs(10), stdout.next_line())
        .await
        .unwrap();
    for _ in 0..200 {
        if !intercom
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let line = tokio::time::timeout(Duration::from_secs(10), stdout.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let reply: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

/// Clients built on Node (Electron, as Claude Desktop is) connect a child's stdio through a
/// Unix socket pair, not pipes; the server must read and write a socket just the same. When
/// stderr is that same socket, logs share the stream (the server then keeps stdout blocking,
/// so a log write can never fail for a full buffer) and the replies still arrive whole.
#[cfg(unix)]
#[tokio::test]
async fn a_unix_socket_as_stdio_serves_like_a_pipe_with_or_without_logs_on_it() {
    use std::os::fd::OwnedFd;
    for logs_on_the_socket in [false, true] {
        let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        let end = || Stdio::from(OwnedFd::from(theirs.try_clone().unwrap()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_intercom-mcp"))
            .env_clear()
            .env("accessToken", TOKEN)
            .env("INTERCOM_BASE_URL", "http://127.0.0.1:9")
            .env("LOG_LEVEL", "debug")
            .stdin(end())
            .stdout(end())
            .stderr(if logs_on_the_socket {
                end()
            } else {
                Stdio::null()
            })
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        drop(theirs);
        ours.set_nonblocking(true).unwrap();
        let socket = tokio::net::UnixStream::from_std(ours).unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "socket", "version": "1"}}});
        let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        write
            .write_all(format!("{initialize}\n{initialized}\n{list}\n").as_bytes())
            .await
            .unwrap();
        let mut log_lines = 0;
        let tools = loop {
            let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
                .await
                .expect("the server answers within 20 s")
                .unwrap()
                .expect("the socket stays open");
            match serde_json::from_str::<Value>(&line) {
                Ok(reply) if reply["id"] == 2 => break reply["result"]["tools"].clone(),
                Ok(reply) => assert_eq!(reply["id"], 1, "{line}"),
                Err(_) => {
                    assert!(logs_on_the_socket, "not JSON on stdout: {line}");
                    log_lines += 1;
                }
            }
        };
        assert_eq!(tools.as_array().unwrap().len(), 16);
        if logs_on_the_socket {
            assert!(log_lines > 0, "the debug logs went to the socket too");
        }
        write.shutdown().await.unwrap();
        let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
            .await
            .expect("the server ends when its input does")
            .unwrap();
        assert!(status.success(), "{status}");
    }
}
