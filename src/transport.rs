//! stdio framing in front of rmcp. rmcp drops a line that is not JSON without a word; here it
//! gets a -32700 reply. Oversized messages and `tools/call` arguments that are not an object
//! get an error naming what is wrong. On EOF or a signal, reading stops, calls in flight finish
//! (bounded), and only then does the session end.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::ServiceExt;
use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::server::IntercomServer;

/// How long calls in flight may take to finish once the input has ended.
pub const DRAIN: Duration = Duration::from_secs(30);

/// Request ids sent to the server and not answered yet.
type Pending = Arc<Mutex<HashSet<String>>>;

enum Line {
    Complete,
    TooLong(usize),
    End,
}

/// Serves one MCP session over `input`/`output` until the input ends or `shutdown` resolves.
pub async fn serve<R, W>(
    server: IntercomServer,
    input: R,
    output: W,
    max_message_bytes: usize,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (server_io, our_io) = tokio::io::duplex(1 << 20);
    let (from_server, mut to_server) = tokio::io::split(our_io);
    let (out_tx, out_rx) = mpsc::channel::<String>(64);
    let pending: Pending = Arc::default();

    let writer = tokio::spawn(write_lines(out_rx, output));
    let relay = tokio::spawn(relay_replies(
        from_server,
        out_tx.clone(),
        Arc::clone(&pending),
    ));
    let session = tokio::spawn(async move {
        match server.serve(server_io).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(err) => tracing::info!("session ended before initialization: {err}"),
        }
    });

    let mut input = BufReader::new(input);
    let mut line = Vec::new();
    tokio::pin!(shutdown);
    loop {
        let read = tokio::select! {
            read = read_line(&mut input, max_message_bytes, &mut line) => read,
            () = &mut shutdown => {
                tracing::info!("shutting down: finishing calls in flight");
                break;
            }
        };
        match read {
            Ok(Line::End) | Err(_) => break,
            Ok(Line::TooLong(size)) => {
                let message = format!(
                    "a message of {size} bytes is over the limit of {max_message_bytes} bytes (INTERCOM_MAX_REQUEST_BYTES)"
                );
                let _ = out_tx
                    .send(error_reply(&Value::Null, -32600, &message))
                    .await;
            }
            Ok(Line::Complete) => match screen(&line) {
                Screened::Skip => {}
                Screened::Reply(reply) => {
                    let _ = out_tx.send(reply).await;
                }
                Screened::Forward(id) => {
                    if let Some(id) = id {
                        pending.lock().unwrap_or_else(|p| p.into_inner()).insert(id);
                    }
                    line.push(b'\n');
                    if to_server.write_all(&line).await.is_err() {
                        break;
                    }
                }
            },
        }
    }
    drain(&pending).await;
    // The server sees the end of its input and closes; its last replies are relayed first.
    // (Dropping a split half would not close the pipe: shut it down.)
    let _ = to_server.shutdown().await;
    let _ = session.await;
    let _ = relay.await;
    drop(out_tx);
    let _ = writer.await;
    Ok(())
}

async fn drain(pending: &Pending) {
    let deadline = tokio::time::Instant::now() + DRAIN;
    while tokio::time::Instant::now() < deadline {
        if pending.lock().unwrap_or_else(|p| p.into_inner()).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tracing::warn!(
        "calls still in flight after {} s; ending anyway",
        DRAIN.as_secs()
    );
}

/// Reads one line into `line` (without its newline), keeping at most `max` bytes of it.
async fn read_line<R: AsyncBufRead + Unpin>(
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

enum Screened {
    Skip,
    Reply(String),
    /// Pass to the server; the id when it is a request that will be answered.
    Forward(Option<String>),
}

fn screen(line: &[u8]) -> Screened {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Screened::Skip;
    }
    let Ok(text) = std::str::from_utf8(line) else {
        return Screened::Reply(error_reply(
            &Value::Null,
            -32700,
            "parse error: the message is not valid UTF-8",
        ));
    };
    let message: Value = match serde_json::from_str(text) {
        Ok(message) => message,
        Err(err) => {
            return Screened::Reply(error_reply(
                &Value::Null,
                -32700,
                &format!("parse error: {err}"),
            ));
        }
    };
    let id = message.get("id").filter(|id| !id.is_null());
    let method = message.get("method").and_then(Value::as_str);
    if let (Some(id), Some("tools/call")) = (id, method) {
        let arguments = message.pointer("/params/arguments");
        if arguments.is_some_and(|arguments| !arguments.is_object() && !arguments.is_null()) {
            return Screened::Reply(error_reply(
                id,
                -32602,
                "tools/call arguments must be a JSON object",
            ));
        }
    }
    Screened::Forward(match (id, method) {
        (Some(id), Some(_)) => Some(id.to_string()),
        _ => None,
    })
}

fn error_reply(id: &Value, code: i64, message: &str) -> String {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}).to_string()
}

/// What marks a line from the server as the answer to a request: an id and no method (a
/// request from the server has both; a notification has no id).
#[derive(serde::Deserialize)]
struct Envelope {
    id: Option<Value>,
    method: Option<serde::de::IgnoredAny>,
}

/// Server output → the writer; answered requests leave the pending set.
async fn relay_replies<R: AsyncRead + Unpin>(
    from_server: R,
    out: mpsc::Sender<String>,
    pending: Pending,
) {
    let mut lines = BufReader::new(from_server).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        // Only the envelope is read: a reply can be large, and this runs on every one.
        if let Ok(Envelope {
            id: Some(id),
            method: None,
        }) = serde_json::from_str::<Envelope>(&line)
        {
            pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id.to_string());
        }
        if out.send(line).await.is_err() {
            return;
        }
    }
}

async fn write_lines<W: AsyncWrite + Unpin>(mut lines: mpsc::Receiver<String>, mut output: W) {
    while let Some(line) = lines.recv().await {
        let written = async {
            output.write_all(line.as_bytes()).await?;
            output.write_all(b"\n").await?;
            output.flush().await
        };
        if written.await.is_err() {
            return;
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn signals() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn screening() {
        assert!(matches!(screen(b"   "), Screened::Skip));
        let Screened::Reply(reply) = screen(b"{not json") else {
            panic!()
        };
        assert!(
            reply.contains("-32700") && reply.contains("\"id\":null"),
            "{reply}"
        );
        let Screened::Reply(reply) = screen(b"\xff\xfe") else {
            panic!()
        };
        assert!(reply.contains("UTF-8"), "{reply}");
        let call = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","arguments":"oops"}}"#;
        let Screened::Reply(reply) = screen(call) else {
            panic!()
        };
        assert!(
            reply.contains("-32602") && reply.contains("\"id\":7"),
            "{reply}"
        );
        let ok = br#"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#;
        assert!(matches!(screen(ok), Screened::Forward(Some(id)) if id == "\"a\""));
        let note = br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        assert!(matches!(screen(note), Screened::Forward(None)));
    }
}
