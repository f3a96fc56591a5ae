//! The requests in flight over stdio: which are not answered yet, and the bound on them. At the
//! bound the reader stops reading (back pressure, the client's writes block in the pipe) rather
//! than queueing calls without limit: 50,000 pipelined calls once held about 600 MB.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

use rmcp::model::RequestId;
use tokio::sync::Notify;

use crate::server::IntercomServer;

/// How many requests may be in flight before the reader waits. Calls waiting for the user's
/// answer are not counted, so that answer can always be read. 64 keeps a burst's memory small
/// and is well above what a client runs at once (the benchmarks run 16).
pub const MAX_IN_FLIGHT: usize = 64;

/// Requests handed to the session and not answered yet.
#[derive(Default)]
pub(super) struct Flight {
    unanswered: Mutex<HashSet<RequestId>>,
    answered: Notify,
}

impl Flight {
    fn lock(&self) -> MutexGuard<'_, HashSet<RequestId>> {
        self.unanswered
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn sent(&self, id: RequestId) {
        self.lock().insert(id);
    }

    pub(super) fn answered(&self, id: &RequestId) {
        if self.lock().remove(id) {
            self.answered.notify_one();
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Resolves once fewer than [`MAX_IN_FLIGHT`] requests not waiting for the user are
    /// unanswered, and as few calls are running. A cancelled request is not answered (rmcp
    /// drops its answer), so it leaves the unanswered ones when it is cancelled; its call
    /// counts as running until it ends.
    pub(super) async fn room(&self, server: &IntercomServer) {
        let (asking, running) = (server.asking(), server.running());
        loop {
            let waiting = asking.count();
            let unanswered = self.lock().len().saturating_sub(waiting);
            if unanswered < MAX_IN_FLIGHT && running.count().saturating_sub(waiting) < MAX_IN_FLIGHT
            {
                return;
            }
            tokio::select! {
                () = self.answered.notified() => {}
                () = asking.changed() => {}
                () = running.changed() => {}
            }
        }
    }
}
