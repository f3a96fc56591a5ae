//! stdio framing in front of rmcp. Each line is parsed once, straight into rmcp's message type,
//! and handed to the session over a channel; rmcp's replies are written as lines. What rmcp
//! would drop without a word gets an answer: a line that is not JSON (-32700), an oversized
//! message or a malformed request (-32600), `tools/call` arguments that are not an object
//! (-32602). On EOF or a signal, reading stops, calls in flight finish (bounded), and only then
//! does the session end. At most [`MAX_IN_FLIGHT`] requests are in flight: the reader waits
//! for room (back pressure). When stdout closes, reading stops and the session ends.
//!
//! - `answered.rs`: an error answered to a client: -32601 made readable, one debug line.
//! - `framing.rs`: a line in → one parsed message or the error reply; replies out as lines.
//! - `id.rs`: a message's id as written, read past parse limits; ids written as floats.
//! - `direct.rs`: the plain `tools/call` line, read without rmcp's general (slow) reader.
//! - `flight.rs`: the requests in flight, and their bound.
//! - `revision.rs`: an error to an unreadable id follows the revision: `"id": null`, or none.
//! - `pipes.rs`: the process's stdin and stdout, non-blocking when they are pipes or sockets.
//! - `shutdown.rs`: signals, and the calls in flight that finish before the session ends.

mod answered;
mod direct;
mod flight;
mod framing;
mod id;
mod pipes;
mod revision;
mod shutdown;

use std::future::Future;
use std::sync::Arc;

use rmcp::model::{ClientNotification, JsonRpcMessage};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::{RoleServer, ServiceExt};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, BufReader};
use tokio::sync::mpsc;

use crate::server::IntercomServer;
use framing::{Line, read_line, write_lines};
// The HTTP transport screens bodies the same way (http/protocol.rs).
pub(crate) use answered::answered;
use flight::Flight;
pub(crate) use framing::{Screened, error_reply, screen};
use shutdown::drain;

pub use flight::MAX_IN_FLIGHT;
pub use pipes::stdio;
pub use revision::REMOVED_AT_2026_07_28;
pub(crate) use revision::{UnreadId, removed_at_2026_07_28};
pub use shutdown::{DRAIN, signals};

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
    let pending: Arc<Flight> = Arc::default();
    // Cheap (an `Arc`): the reader needs to know how many calls run and wait for the user.
    let counts = server.clone();
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
    // The revision in use, for errors whose id cannot be read: the one the last message that
    // stated one stated (an `initialize`, or a 2026-07-28 request's `_meta`), read off the
    // parsed message without another parse. Until a message states one, JSON-RPC's null.
    let mut unread = UnreadId::default();
    tokio::pin!(shutdown);
    // The reading, in a block: `closed` borrows `out_tx`, which is dropped after it.
    let output_closed = {
        // Made once, not per line: each new one would register with the channel again.
        let closed = out_tx.closed();
        tokio::pin!(closed);
        let mut output_closed = false;
        loop {
            let read = tokio::select! {
                read = async {
                    pending.room(&counts).await;
                    read_line(&mut input, max_message_bytes, &mut line).await
                } => read,
                () = &mut shutdown => {
                    tracing::info!("shutting down: finishing calls in flight");
                    break;
                }
                // Nothing can be answered any more: stop rather than fail on every message.
                () = &mut closed => {
                    tracing::info!("stdout is closed: stopping");
                    output_closed = true;
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
                    unread,
                )),
                Ok(Line::Complete) => screen(&line, unread),
            };
            match screened {
                Screened::Skip => {}
                Screened::Reply(reply) => {
                    if out_tx.send(reply).await.is_err() {
                        tracing::info!("stdout is closed: stopping");
                        output_closed = true;
                        break;
                    }
                }
                Screened::Forward(message) => {
                    if let Some(stated) = UnreadId::stated_by(&message) {
                        unread = stated;
                    }
                    match &*message {
                        JsonRpcMessage::Request(request) => {
                            pending.sent(request.id.clone(), request.request.method());
                        }
                        JsonRpcMessage::Notification(notification) => {
                            if let ClientNotification::CancelledNotification(cancelled) =
                                &notification.notification
                                && let Some(id) = &cancelled.params.request_id
                            {
                                pending.answered(id);
                            }
                        }
                        _ => {}
                    }
                    if in_tx.send(*message).await.is_err() {
                        break;
                    }
                }
            }
        }
        output_closed
    };
    if !output_closed {
        drain(&pending).await;
    }
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
    pending: Arc<Flight>,
}

impl rmcp::transport::Transport<RoleServer> for Channels {
    type Error = std::io::Error;

    fn send(
        &mut self,
        mut item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        match &mut item {
            JsonRpcMessage::Response(response) => {
                self.pending.answered(&response.id);
            }
            JsonRpcMessage::Error(error) => {
                let method = error.id.as_ref().and_then(|id| self.pending.answered(id));
                answered(method.as_deref(), &mut error.error);
            }
            _ => {}
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
