//! stdio framing: a line in, measured against the size limit, becomes one rmcp message or the
//! JSON-RPC error reply rmcp would not send; replies go out one a line.

use rmcp::RoleServer;
use rmcp::model::{CallToolRequestParams, ClientRequest, JsonRpcMessage, JsonRpcRequest};
use rmcp::service::RxJsonRpcMessage;
use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::id::{RawId, raw_id};
use super::revision::{UnreadId, removed_at_2026_07_28, stated_in_meta};

pub(super) enum Line {
    Complete,
    TooLong(usize),
    End,
}

/// Reads one line into `line` (without its newline), keeping at most `max` bytes of it.
pub(super) async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    max: usize,
    line: &mut Vec<u8>,
) -> std::io::Result<Line> {
    line.clear();
    let mut total = 0usize;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(match total {
                0 => Line::End,
                _ if total > max => Line::TooLong(total),
                _ => Line::Complete,
            });
        }
        let newline = available.iter().position(|byte| *byte == b'\n');
        let chunk = available
            .get(..newline.unwrap_or(available.len()))
            .unwrap_or_default();
        total += chunk.len();
        if total <= max {
            line.extend_from_slice(chunk);
        } else {
            line.clear();
        }
        let consumed = chunk.len() + usize::from(newline.is_some());
        reader.consume(consumed);
        if newline.is_some() {
            return Ok(if total > max {
                Line::TooLong(total)
            } else {
                Line::Complete
            });
        }
    }
}

pub(crate) enum Screened {
    Skip,
    Reply(Vec<u8>),
    Forward(Box<RxJsonRpcMessage<RoleServer>>),
}

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The MCP methods this server answers. rmcp reads one whose params do not fit as a custom
/// request and answers "method not found", which would mislead: these get told what is wrong.
const SERVED: [&str; 10] = [
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "completion/complete",
    "prompts/list",
    "prompts/get",
];

/// `unread`: what an error answer carries when the message's id cannot be read.
pub(crate) fn screen(line: &[u8], unread: UnreadId) -> Screened {
    let line = line.strip_prefix(BYTE_ORDER_MARK).unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Screened::Skip;
    }
    // The one parse on the way in: the line becomes rmcp's message directly.
    if let Some(message) = super::direct::tools_call(line) {
        return Screened::Forward(Box::new(message));
    }
    // Off the plain path only: the id as written, which rmcp would read a float into and a
    // parse error would lose.
    let id = raw_id(line);
    if matches!(id, RawId::Float) {
        return Screened::Reply(error_reply(
            &Value::Null,
            -32600,
            "invalid request: \"id\" must be a string or an integer, written without a fraction or an exponent",
            unread,
        ));
    }
    match serde_json::from_slice::<RxJsonRpcMessage<RoleServer>>(line) {
        Ok(JsonRpcMessage::Request(JsonRpcRequest {
            request: ClientRequest::CustomRequest(custom),
            ..
        })) if SERVED.contains(&custom.method.as_str()) => malformed(line, unread),
        Ok(message) => Screened::Forward(Box::new(message)),
        Err(err) if err.is_syntax() || err.is_eof() => Screened::Reply(error_reply(
            // A complete message that hit a parse limit is still answered by its id.
            match &id {
                RawId::Readable(id) => id,
                _ => &Value::Null,
            },
            -32700,
            &if std::str::from_utf8(line).is_err() {
                "parse error: the message is not valid UTF-8".to_owned()
            } else {
                format!("parse error: {err}")
            },
            unread,
        )),
        Err(err) => {
            tracing::debug!("not an MCP message: {err}");
            malformed(line, unread)
        }
    }
}

/// JSON that is not a message rmcp takes. A request is told what is wrong; a notification or a
/// response gets no reply, as JSON-RPC has it (rmcp drops notifications it does not know too).
fn malformed(line: &[u8], unread: UnreadId) -> Screened {
    let Ok(message) = serde_json::from_slice::<Value>(line) else {
        return Screened::Reply(error_reply(&Value::Null, -32700, "parse error", unread));
    };
    let id = message.get("id").filter(|id| id.is_string() || id.is_i64());
    let method = message.get("method");
    let answer = |code, text: &str| {
        Screened::Reply(error_reply(id.unwrap_or(&Value::Null), code, text, unread))
    };
    if !message.is_object() {
        return answer(
            -32600,
            "invalid request: a message is one JSON object (batches are not supported)",
        );
    }
    if method.is_none() && (message.get("result").is_some() || message.get("error").is_some()) {
        tracing::debug!("dropped a malformed response");
        return Screened::Skip;
    }
    if method.is_some() && message.get("id").is_none() {
        tracing::debug!("dropped a malformed notification");
        return Screened::Skip;
    }
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return answer(-32600, "invalid request: \"jsonrpc\" must be \"2.0\"");
    }
    if id.is_none() {
        return answer(
            -32600,
            "invalid request: \"id\" must be a string or an integer",
        );
    }
    let Some(method) = method.and_then(Value::as_str) else {
        return answer(-32600, "invalid request: \"method\" must be a string");
    };
    // A request at 2026-07-28 (its `_meta` says so: stdio has no header) for a method that
    // revision removed is not a handshake with params missing: over HTTP it gets 404 and
    // -32601 (`http/protocol.rs`), and the same code here.
    if stated_in_meta(&message)
        .is_some_and(|version| UnreadId::of_version(version) == UnreadId::Omitted)
        && let Some(text) = removed_at_2026_07_28(method)
    {
        return answer(-32601, &text);
    }
    let arguments = message.pointer("/params/arguments");
    if method == "tools/call"
        && arguments.is_some_and(|arguments| !arguments.is_object() && !arguments.is_null())
    {
        return answer(-32602, "tools/call arguments must be a JSON object");
    }
    let params = message.get("params").cloned().unwrap_or(Value::Null);
    let detail = match method {
        "tools/call" => serde_json::from_value::<CallToolRequestParams>(params)
            .err()
            .map(|err| err.to_string()),
        _ => None,
    };
    let detail = detail.unwrap_or_else(|| "they do not have the shape MCP defines".to_owned());
    answer(-32602, &format!("invalid params for {method}: {detail}"))
}

/// A JSON-RPC error answer to `id`; `Value::Null` when it cannot be read, written as `unread`
/// has it.
pub(crate) fn error_reply(id: &Value, code: i64, message: &str, unread: UnreadId) -> Vec<u8> {
    let mut reply = json!({"jsonrpc": "2.0", "error": {"code": code, "message": message}});
    if let (Some(id), Some(reply)) = (unread.id(id), reply.as_object_mut()) {
        reply.insert("id".to_owned(), id.clone());
    }
    reply.to_string().into_bytes()
}

/// Writes each line, flushing once whatever is queued has been written.
pub(super) async fn write_lines<W: AsyncWrite + Unpin>(
    mut lines: mpsc::Receiver<Vec<u8>>,
    output: W,
) {
    let mut output = tokio::io::BufWriter::new(output);
    while let Some(line) = lines.recv().await {
        let mut next = Some(line);
        let written = async {
            while let Some(line) = next.take() {
                output.write_all(&line).await?;
                output.write_all(b"\n").await?;
                next = lines.try_recv().ok();
            }
            output.flush().await
        };
        if written.await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::BufReader;

    use super::*;

    /// Screened as before a revision is known.
    fn screen(line: &[u8]) -> Screened {
        super::screen(line, UnreadId::Null)
    }

    #[tokio::test]
    async fn lines_over_the_limit_are_measured_and_dropped() {
        let input = format!("{}\nshort\n", "x".repeat(100));
        let mut reader = BufReader::with_capacity(16, input.as_bytes());
        let mut line = Vec::new();
        assert!(matches!(
            read_line(&mut reader, 50, &mut line).await.unwrap(),
            Line::TooLong(100)
        ));
        assert!(matches!(
            read_line(&mut reader, 50, &mut line).await.unwrap(),
            Line::Complete
        ));
        assert_eq!(line, b"short");
        assert!(matches!(
            read_line(&mut reader, 50, &mut line).await.unwrap(),
            Line::End
        ));
    }

    fn reply(line: &[u8]) -> Value {
        let Screened::Reply(reply) = screen(line) else {
            panic!("no reply to {}", String::from_utf8_lossy(line))
        };
        serde_json::from_slice(&reply).unwrap()
    }

    #[test]
    fn lines_that_are_not_messages_are_answered() {
        assert!(matches!(screen(b"   "), Screened::Skip));
        let reply = reply(b"{not json");
        assert_eq!(
            (reply["error"]["code"].as_i64(), &reply["id"]),
            (Some(-32700), &Value::Null)
        );
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("parse error: key must be a string"),
            "{message}"
        );
        let reply = super::tests::reply(b"\xff\xfe");
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .contains("UTF-8"),
            "{reply}"
        );
        let call = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","arguments":"oops"}}"#;
        let reply = super::tests::reply(call);
        assert_eq!(
            (reply["error"]["code"].as_i64(), &reply["id"]),
            (Some(-32602), &json!(7))
        );
    }

    #[test]
    fn malformed_requests_are_told_what_is_wrong() {
        for (line, code, id, says) in [
            (
                &br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#[..],
                -32600,
                Value::Null,
                "batches",
            ),
            (
                br#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
                -32600,
                json!(1),
                "\"2.0\"",
            ),
            (
                br#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
                -32600,
                Value::Null,
                "integer",
            ),
            (
                br#"{"jsonrpc":"2.0","id":"a","method":7}"#,
                -32600,
                json!("a"),
                "\"method\"",
            ),
            (
                br#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"arguments":{}}}"#,
                -32602,
                json!(2),
                "name",
            ),
        ] {
            let reply = reply(line);
            assert_eq!(reply["error"]["code"], code, "{reply}");
            assert_eq!(reply["id"], id, "{reply}");
            let message = reply["error"]["message"].as_str().unwrap();
            assert!(message.contains(says), "{message}");
        }
    }

    #[test]
    fn messages_are_parsed_once_and_notifications_never_answered() {
        let ok = br#"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#;
        assert!(
            matches!(screen(ok), Screened::Forward(message) if matches!(*message, JsonRpcMessage::Request(_)))
        );
        let with_mark =
            b"\xEF\xBB\xBF{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
        assert!(
            matches!(screen(with_mark), Screened::Forward(message) if matches!(*message, JsonRpcMessage::Notification(_)))
        );
        let bad_notification =
            br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":7}"#;
        assert!(matches!(screen(bad_notification), Screened::Skip));
        let stray_response = br#"{"jsonrpc":"2.0","id":3,"result":7,"error":{}}"#;
        assert!(matches!(screen(stray_response), Screened::Skip));
    }
}
