//! What the policy tells an observer while a request waits: a hold for a spent rate-limit
//! window, and each retry with its reason and wait. The observer is scoped to one call's
//! future ([`observed`]), so a notice reaches the client whose call it is; the policy does not
//! know who listens (the server's `logging` module does), and with no observer it tells no
//! one.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One thing worth telling the user of a client while a request waits. It carries no token,
/// no id of a customer and no body: only the operation, a status and a duration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The token's rate-limit window is spent: the request waits `wait` for it to reset.
    Held { wait: Duration },
    /// `operation` is sent again after `wait`, because of `reason`.
    Retrying {
        operation: String,
        reason: Reason,
        wait: Duration,
    },
}

/// Why an attempt is repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// 429: the rate limit.
    RateLimited,
    /// A transient 5xx.
    Status(u16),
    /// No answer: `timeout`, `connection failed` or `transport error`.
    NoAnswer(&'static str),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RateLimited => f.write_str("rate limited (429)"),
            Self::Status(status) => write!(f, "HTTP {status}"),
            Self::NoAnswer(kind) => f.write_str(kind),
        }
    }
}

/// Whoever is told. Telling is awaited before the wait it announces starts, so the client
/// reads "waiting 5 s" at the start of those 5 s, and before the call's answer.
pub trait Observer: Send + Sync + 'static {
    fn notice(&self, notice: Notice) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

tokio::task_local! {
    static OBSERVER: Arc<dyn Observer>;
}

/// Runs `work` with `observer` told of every hold and retry of the requests it makes. A
/// task-local, like rmcp's own association of a request with its handler: it reaches every
/// request `work` awaits, and none that `work` spawns onto another task (the policy spawns
/// none).
pub async fn observed<F: Future>(observer: Arc<dyn Observer>, work: F) -> F::Output {
    OBSERVER.scope(observer, work).await
}

/// Tells this call's observer, if it has one.
pub(super) async fn tell(notice: Notice) {
    if let Ok(observer) = OBSERVER.try_with(Arc::clone) {
        observer.notice(notice).await;
    }
}

/// A notice made where telling cannot be awaited (backon's `notify` is a plain closure),
/// told by the sleep that follows it.
#[derive(Clone, Default)]
pub(super) struct Pending(Arc<Mutex<Option<Notice>>>);

impl Pending {
    pub(super) fn put(&self, notice: Notice) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(notice);
    }

    pub(super) async fn tell(&self) {
        let notice = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(notice) = notice {
            tell(notice).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Notice>>);

    impl Observer for Recorder {
        fn notice(&self, notice: Notice) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
            self.0.lock().unwrap().push(notice);
            Box::pin(std::future::ready(()))
        }
    }

    #[tokio::test]
    async fn only_the_scoped_work_is_told_and_a_pending_notice_once() {
        let held = Notice::Held {
            wait: Duration::from_secs(2),
        };
        // Outside any scope: told to no one, and no panic.
        tell(held.clone()).await;
        let recorder = Arc::new(Recorder::default());
        let pending = Pending::default();
        observed(recorder.clone(), async {
            tell(held.clone()).await;
            pending.put(Notice::Retrying {
                operation: "list_tags".to_owned(),
                reason: Reason::Status(503),
                wait: Duration::from_millis(600),
            });
            pending.tell().await;
            pending.tell().await;
        })
        .await;
        let told = recorder.0.lock().unwrap().clone();
        assert_eq!(told.len(), 2, "{told:?}");
        assert_eq!(told[0], held);
        assert!(matches!(
            told[1],
            Notice::Retrying {
                reason: Reason::Status(503),
                ..
            }
        ));
    }

    #[test]
    fn reasons_read_as_the_log_line_always_had_them() {
        assert_eq!(Reason::RateLimited.to_string(), "rate limited (429)");
        assert_eq!(Reason::Status(502).to_string(), "HTTP 502");
        assert_eq!(Reason::NoAnswer("timeout").to_string(), "timeout");
    }
}
