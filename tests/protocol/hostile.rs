//! Hostile or broken input on the stdio framing: each gets a JSON-RPC error that says what is
//! wrong, and the session goes on. Ending the input or signalling shutdown lets a call in
//! flight finish before the session closes.

use std::time::Duration;

use intercom_mcp::config::{Config, Flags};
use intercom_mcp::server::IntercomServer;
use intercom_mcp::transport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const MAX: usize = 64 * 1024;

struct Session {
    input: DuplexStream,
    output: Lines<BufReader<DuplexStream>>,
    done: JoinHandle<anyhow::Result<()>>,
    stop: Option<oneshot::Sender<()>>,
    _intercom: MockServer,
}

async fn session(delay: Duration) -> Session {
    let intercom = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"type": "list"}))
                .set_delay(delay),
        )
        .mount(&intercom)
        .await;
    let uri = intercom.uri();
    let config = Config::resolve(&Flags::default(), |name| match name {
        "accessToken" => Some("tok_hostile".to_owned()),
        "INTERCOM_BASE_URL" => Some(uri.clone()),
        _ => None,
    })
    .unwrap();
    let server = IntercomServer::new(&config).unwrap();
    let (input, server_input) = tokio::io::duplex(1 << 16);
    let (server_output, output) = tokio::io::duplex(1 << 16);
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(transport::serve(
        server,
        server_input,
        server_output,
        MAX,
        async {
            let _ = stopped.await;
        },
    ));
    let mut session = Session {
        input,
        output: BufReader::new(output).lines(),
        done,
        stop: Some(stop),
        _intercom: intercom,
    };
    session
        .send_line(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
        .to_string())
        .await;
    assert_eq!(session.reply().await["id"], 0);
    session
        .send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    session
}

impl Session {
    async fn send_line(&mut self, line: &str) {
        self.send_bytes(line.as_bytes()).await;
    }

    async fn send_bytes(&mut self, bytes: &[u8]) {
        self.input.write_all(bytes).await.unwrap();
        self.input.write_all(b"\n").await.unwrap();
    }

    async fn reply(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(10), self.output.next_line())
            .await
            .expect("a reply within 10 s")
            .unwrap()
            .expect("the session is still open");
        serde_json::from_str(&line).unwrap()
    }

    /// The session still answers: tools/list works.
    async fn still_serving(&mut self, id: i64) {
        self.send_line(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}).to_string())
            .await;
        let reply = self.reply().await;
        assert_eq!(reply["id"], id);
        assert_eq!(reply["result"]["tools"].as_array().unwrap().len(), 16);
    }
}

fn call(id: i64, tool: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}})
        .to_string()
}

#[tokio::test]
async fn a_line_that_is_not_json_gets_a_parse_error_and_the_session_goes_on() {
    let mut session = session(Duration::ZERO).await;
    session
        .send_line("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ")
        .await;
    let reply = session.reply().await;
    assert_eq!(reply["error"]["code"], -32700, "{reply}");
    assert_eq!(reply["id"], Value::Null);
    session.still_serving(2).await;
}

#[tokio::test]
async fn invalid_utf8_gets_a_parse_error() {
    let mut session = session(Duration::ZERO).await;
    session
        .send_bytes(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"x\":\"\xff\xfe\"}")
        .await;
    let reply = session.reply().await;
    assert_eq!(reply["error"]["code"], -32700);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8"),
        "{reply}"
    );
    session.still_serving(2).await;
}

#[tokio::test]
async fn arguments_that_are_not_an_object_are_refused_with_the_request_id() {
    let mut session = session(Duration::ZERO).await;
    for (id, arguments) in [(1, json!("text")), (2, json!([1, 2])), (3, json!(42))] {
        session
            .send_line(&call(id, "intercomListTags", arguments))
            .await;
        let reply = session.reply().await;
        assert_eq!(reply["id"], id);
        assert_eq!(reply["error"]["code"], -32602);
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .contains("must be a JSON object")
        );
    }
    session.still_serving(4).await;
}

#[tokio::test]
async fn a_ten_megabyte_string_is_refused_naming_the_limit() {
    let mut session = session(Duration::ZERO).await;
    let huge = "x".repeat(10 * 1024 * 1024);
    session
        .send_line(&call(
            1,
            "intercomAddNote",
            json!({"contact_id": "c", "body": huge}),
        ))
        .await;
    let reply = session.reply().await;
    assert_eq!(
        reply["error"]["code"],
        -32600,
        "{}",
        &reply.to_string()[..200.min(reply.to_string().len())]
    );
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("INTERCOM_MAX_REQUEST_BYTES") && message.contains("65536"),
        "{message}"
    );
    session.still_serving(2).await;
}

#[tokio::test]
async fn a_deeply_nested_value_is_refused() {
    let mut session = session(Duration::ZERO).await;
    let nested = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let line =
        call(1, "intercomCreateContact", json!({"email": "a@b.c"})).replace("\"a@b.c\"", &nested);
    session.send_line(&line).await;
    let reply = session.reply().await;
    assert_eq!(reply["error"]["code"], -32700, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("recursion"),
        "{reply}"
    );
    session.still_serving(2).await;
}

#[tokio::test]
async fn the_end_of_input_lets_a_call_in_flight_finish() {
    let mut session = session(Duration::from_millis(300)).await;
    session
        .send_line(&call(1, "intercomListTags", json!({})))
        .await;
    session.input.shutdown().await.unwrap();
    let reply = session.reply().await;
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    tokio::time::timeout(Duration::from_secs(5), session.done)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_shutdown_signal_lets_a_call_in_flight_finish_then_ends() {
    let mut session = session(Duration::from_millis(300)).await;
    session
        .send_line(&call(1, "intercomListTags", json!({})))
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    session.stop.take().unwrap().send(()).unwrap();
    let reply = session.reply().await;
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    tokio::time::timeout(Duration::from_secs(5), session.done)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn ids_written_as_floats_are_refused_not_read_as_other_ids() {
    let mut session = session(Duration::ZERO).await;
    // rmcp alone would answer these as ids 100, 0 and 1, colliding with real ones.
    for id in ["1.0e2", "1e-400", "1.0", "1E0"] {
        for method in [
            r#""ping""#,
            r#""tools/call","params":{"name":"intercomListTags"}"#,
        ] {
            session
                .send_line(&format!(
                    r#"{{"jsonrpc":"2.0","id":{id},"method":{method}}}"#
                ))
                .await;
            let reply = session.reply().await;
            assert_eq!(reply["error"]["code"], -32600, "{id}: {reply}");
            assert_eq!(reply["id"], Value::Null, "{id}: {reply}");
        }
    }
    session.still_serving(2).await;
}

#[tokio::test]
async fn a_readable_id_is_answered_even_past_a_parse_limit() {
    let mut session = session(Duration::ZERO).await;
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    for (id, value) in [
        (json!(7), deep.as_str()),
        (json!("big"), "1e400"),
        (json!(-9), r#""\ud800""#),
    ] {
        let line = call(0, "intercomCreateContact", json!({"email": "X"}))
            .replace("\"id\":0", &format!("\"id\":{id}"))
            .replace("\"X\"", value);
        session.send_line(&line).await;
        let reply = session.reply().await;
        assert_eq!(reply["error"]["code"], -32700, "{reply}");
        assert_eq!(reply["id"], id, "{reply}");
    }
    session.still_serving(2).await;
}
