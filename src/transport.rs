//! stdio framing in front of rmcp. Each line is parsed once, straight into rmcp's message type,
//! and handed to the session over a channel; rmcp's replies are written as lines. What rmcp
//! would drop without a word gets an answer: a line that is not JSON (-32700), an oversized
//! message or a malformed request (-32600), `tools/call` arguments that are not an object
//! (-32602). On EOF or a signal, reading stops, calls in flight finish (bounded), and only then
//! does the session end.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, ClientRequest, JsonRpcMessage, JsonRpcRequest, RequestId,
};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::{RoleServer, ServiceExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::server::IntercomServer;

/// How long calls in flight may take to finish once the input has ended.
pub const DRAIN: Duration = Duration::from_secs(30);

/// Requests handed to the session and not answered yet.
type Pending = Arc<Mutex<HashSet<RequestId>>>;

fn lock(pending: &Pending) -> std::sync::MutexGuard<'_, HashSet<RequestId>> {
    pending
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

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
    let (out_tx, out_rx) = mpsc::channel::<Vec<u8>>(64);
    let (in_tx, in_rx) = mpsc::channel(64);
    let pending: Pending = Arc::default();
    let writer = tokio::spawn(write_lines(out_rx, output));
    let channels = Channels {
        incoming: in_rx,
        outgoing: out_tx.clone(),
        pending: Arc::clone(&pending),
    };
    let session = tokio::spawn(async move {
        match server.serve(channels).await {
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
        let screened = match read {
            Ok(Line::End) | Err(_) => break,
            Ok(Line::TooLong(size)) => Screened::Reply(error_reply(
                &Value::Null,
                -32600,
                &format!(
                    "a message of {size} bytes is over the limit of {max_message_bytes} bytes (INTERCOM_MAX_REQUEST_BYTES)"
                ),
            )),
            Ok(Line::Complete) => screen(&line),
        };
        match screened {
            Screened::Skip => {}
            Screened::Reply(reply) => {
                let _ = out_tx.send(reply).await;
            }
            Screened::Forward(message) => {
                if let JsonRpcMessage::Request(request) = &*message {
                    lock(&pending).insert(request.id.clone());
                }
                if in_tx.send(*message).await.is_err() {
                    break;
                }
            }
        }
    }
    drain(&pending).await;
    // The session sees the end of its input and closes; its last replies are written first.
    drop(in_tx);
    let _ = session.await;
    drop(out_tx);
    let _ = writer.await;
    Ok(())
}

/// The session's side: messages from the reader, replies to the writer.
struct Channels {
    incoming: mpsc::Receiver<RxJsonRpcMessage<RoleServer>>,
    outgoing: mpsc::Sender<Vec<u8>>,
    pending: Pending,
}

impl rmcp::transport::Transport<RoleServer> for Channels {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let answered = match &item {
            JsonRpcMessage::Response(response) => Some(&response.id),
            JsonRpcMessage::Error(error) => error.id.as_ref(),
            _ => None,
        };
        if let Some(id) = answered {
            lock(&self.pending).remove(id);
        }
        let line = serde_json::to_vec(&item).map_err(std::io::Error::other);
        let outgoing = self.outgoing.clone();
        async move {
            outgoing.send(line?).await.map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the output is closed")
            })
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        self.incoming.recv().await
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.incoming.close();
        Ok(())
    }
}

async fn drain(pending: &Pending) {
    let deadline = tokio::time::Instant::now() + DRAIN;
    while tokio::time::Instant::now() < deadline {
        if lock(pending).is_empty() {
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

pub(crate) enum Screened {
    Skip,
    Reply(Vec<u8>),
    Forward(Box<RxJsonRpcMessage<RoleServer>>),
}

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The MCP methods this server answers. rmcp reads one whose params do not fit as a custom
/// request and answers "method not found", which would mislead: these get told what is wrong.
const SERVED: [&str; 4] = ["initialize", "ping", "tools/list", "tools/call"];

pub(crate) fn screen(line: &[u8]) -> Screened {
    let line = line.strip_prefix(BYTE_ORDER_MARK).unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Screened::Skip;
    }
    // The one parse on the way in: the line becomes rmcp's message directly.
    match serde_json::from_slice::<RxJsonRpcMessage<RoleServer>>(line) {
        Ok(JsonRpcMessage::Request(JsonRpcRequest {
            request: ClientRequest::CustomRequest(custom),
            ..
        })) if SERVED.contains(&custom.method.as_str()) => malformed(line),
        Ok(message) => Screened::Forward(Box::new(message)),
        Err(err) if err.is_syntax() || err.is_eof() => Screened::Reply(error_reply(
            &Value::Null,
            -32700,
            &if std::str::from_utf8(line).is_err() {
                "parse error: the message is not valid UTF-8".to_owned()
            } else {
                format!("parse error: {err}")
            },
        )),
        Err(err) => {
            tracing::debug!("not an MCP message: {err}");
            malformed(line)
        }
    }
}

/// JSON that is not a message rmcp takes. A request is told what is wrong; a notification or a
/// response gets no reply, as JSON-RPC has it (rmcp drops notifications it does not know too).
fn malformed(line: &[u8]) -> Screened {
    let Ok(message) = serde_json::from_slice::<Value>(line) else {
        return Screened::Reply(error_reply(&Value::Null, -32700, "parse error"));
    };
    let id = message.get("id").filter(|id| id.is_string() || id.is_i64());
    let method = message.get("method");
    let answer =
        |code, text: &str| Screened::Reply(error_reply(id.unwrap_or(&Value::Null), code, text));
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

pub(crate) fn error_reply(id: &Value, code: i64, message: &str) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string()
        .into_bytes()
}

/// Writes each line, flushing once whatever is queued has been written.
async fn write_lines<W: AsyncWrite + Unpin>(mut lines: mpsc::Receiver<Vec<u8>>, output: W) {
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

/// The process's stdin and stdout. Pipes and sockets, which is what MCP clients connect, are
/// read and written on the runtime's own thread; tokio's stdio would hand every read and every
/// write to a blocking thread and back. Anything else (a terminal, a file) uses tokio's stdio.
pub fn stdio() -> (
    Box<dyn AsyncRead + Unpin + Send>,
    Box<dyn AsyncWrite + Unpin + Send>,
) {
    #[cfg(unix)]
    let (input, output) = (direct::input(), direct::output());
    #[cfg(not(unix))]
    let (input, output) = (None, None);
    (
        input.unwrap_or_else(|| Box::new(tokio::io::stdin())),
        output.unwrap_or_else(|| Box::new(tokio::io::stdout())),
    )
}

/// Non-blocking stdin/stdout on unix, when they are a pipe or a socket.
#[cfg(unix)]
mod direct {
    use std::fs::File;
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::{FileTypeExt, MetadataExt};

    use tokio::io::{AsyncRead, AsyncWrite};
    use tokio::net::UnixStream;
    use tokio::net::unix::pipe;

    /// A duplicate of `fd`: the same open file, which becomes non-blocking.
    fn duplicate(fd: impl AsFd) -> Option<File> {
        fd.as_fd().try_clone_to_owned().ok().map(File::from)
    }

    fn socket(file: File) -> Option<UnixStream> {
        let socket = std::os::unix::net::UnixStream::from(OwnedFd::from(file));
        socket.set_nonblocking(true).ok()?;
        UnixStream::from_std(socket).ok()
    }

    pub fn input() -> Option<Box<dyn AsyncRead + Unpin + Send>> {
        let file = duplicate(std::io::stdin())?;
        let kind = file.metadata().ok()?.file_type();
        if kind.is_fifo() {
            Some(Box::new(pipe::Receiver::from_file(file).ok()?))
        } else if kind.is_socket() {
            Some(Box::new(socket(file)?))
        } else {
            None
        }
    }

    pub fn output() -> Option<Box<dyn AsyncWrite + Unpin + Send>> {
        let file = duplicate(std::io::stdout())?;
        let metadata = file.metadata().ok()?;
        // Logs go to stderr with blocking writes; when it is the same pipe as stdout, making
        // that pipe non-blocking would make a log write fail whenever the pipe is full.
        let stderr = duplicate(std::io::stderr()).and_then(|file| file.metadata().ok());
        if stderr
            .is_some_and(|stderr| (stderr.dev(), stderr.ino()) == (metadata.dev(), metadata.ino()))
        {
            return None;
        }
        let kind = metadata.file_type();
        if kind.is_fifo() {
            Some(Box::new(pipe::Sender::from_file(file).ok()?))
        } else if kind.is_socket() {
            Some(Box::new(socket(file)?))
        } else {
            None
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
