//! How a session ends: on SIGINT or SIGTERM, or at the end of the input, reading stops and the
//! requests already handed to the session get a bounded time to be answered.

use std::time::Duration;

use super::flight::Flight;

/// How long calls in flight may take to finish once the input has ended.
pub const DRAIN: Duration = Duration::from_secs(30);

pub(super) async fn drain(pending: &Flight) {
    let deadline = tokio::time::Instant::now() + DRAIN;
    while tokio::time::Instant::now() < deadline {
        if pending.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tracing::warn!(
        "calls still in flight after {} s; ending anyway",
        DRAIN.as_secs()
    );
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
