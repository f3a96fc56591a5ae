//! The requests in flight over stdio: which are not answered yet, and the bound on them. At the
//! bound the reader stops reading (back pressure, the client's writes block in the pipe) rather
//! than queueing calls without limit: 50,000 pipelined calls once held about 600 MB.

use std::collections::HashMap;
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
    unanswered: Mutex<Unanswered>,
    answered: Notify,
}

/// How many requests with each id are unanswered, and how many in all. Counted, not a set: a
/// client that reuses one id for many requests would otherwise hold one place for all of them
/// and slip past the bound.
#[derive(Default)]
struct Unanswered {
    by_id: HashMap<RequestId, Pending>,
    total: usize,
}

/// The requests unanswered under one id, and the method the last of them asked for (what an
/// error answered to that id is logged with).
#[derive(Default)]
struct Pending {
    count: usize,
    method: Box<str>,
}

impl Flight {
    fn lock(&self) -> MutexGuard<'_, Unanswered> {
        self.unanswered
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn sent(&self, id: RequestId, method: &str) {
        let mut unanswered = self.lock();
        let pending = unanswered.by_id.entry(id).or_default();
        pending.count += 1;
        if *pending.method != *method {
            pending.method = method.into();
        }
        unanswered.total += 1;
    }

    /// One request with `id` answered; the method it asked for, when it was in flight.
    pub(super) fn answered(&self, id: &RequestId) -> Option<Box<str>> {
        let mut unanswered = self.lock();
        let pending = unanswered.by_id.get_mut(id)?;
        pending.count -= 1;
        let method = if pending.count == 0 {
            unanswered.by_id.remove(id).map(|pending| pending.method)
        } else {
            Some(pending.method.clone())
        };
        unanswered.total -= 1;
        drop(unanswered);
        self.answered.notify_one();
        method
    }

    pub(super) fn is_empty(&self) -> bool {
        self.lock().total == 0
    }

    /// Resolves once fewer than [`MAX_IN_FLIGHT`] requests not waiting for the user are
    /// unanswered, and as few calls are running. A cancelled request is not answered (rmcp
    /// drops its answer), so it leaves the unanswered ones when it is cancelled; its call
    /// counts as running until it ends.
    pub(super) async fn room(&self, server: &IntercomServer) {
        let (asking, running) = (server.asking(), server.running());
        loop {
            let waiting = asking.count();
            let unanswered = self.lock().total.saturating_sub(waiting);
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
