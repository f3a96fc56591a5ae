//! The accept loop, ours rather than `axum::serve`, which gives hyper no timer (so no header
//! read timeout) and has no cap on connections: under slowloris, partial request heads held
//! their file descriptors until none were left and `/healthz` stopped answering.
//!
//! Each connection is served by hyper's HTTP/1 builder with a Tokio timer: a request head must
//! arrive whole within [`Bounds::header_timeout`]. hyper times every wait for a head, the first
//! and each one after a response on a kept-alive connection, so the same timeout closes idle
//! connections. A semaphore caps the connections open at once: at the cap, accepting waits and
//! new connections queue in the listen backlog.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::DRAIN;

/// How long a client has to send a request head, and how long a kept-alive connection may sit
/// idle.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections open at once, by default (`--max-connections`, `INTERCOM_MAX_CONNECTIONS`).
pub const MAX_CONNECTIONS: usize = 4096;

/// What one server holds open, and for how long.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub header_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            header_timeout: HEADER_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Serves until `shutdown` resolves, then stops accepting and lets requests in flight finish
/// (for up to [`DRAIN`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_with(listener, router, Bounds::default(), shutdown).await
}

/// As [`serve`], within `bounds`.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    bounds: Bounds,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Above tokio's limit a semaphore panics; no machine holds that many connections anyway.
    let cap = bounds.max_connections.min(Semaphore::MAX_PERMITS);
    let connections = Arc::new(Semaphore::new(cap));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(bounds.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit?,
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of file descriptors, most often: wait rather than spin.
                    tracing::warn!("could not accept a connection: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // An error here is the client's (a reset, a timeout, malformed HTTP): nothing to do.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing requests in flight");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!(
            "requests still in flight after {} s; stopping anyway",
            DRAIN.as_secs()
        ),
    }
    Ok(())
}
