//! What happens around every request to Intercom: a cap on requests in flight, a hold while
//! the token's rate-limit window is spent, 429s waited out, transient failures retried for
//! operations that are safe to repeat (never for writes that may have been applied), and a cap
//! on how much of a response body is read.
//!
//! - `window.rs`: the rate-limit window the answers report, the hold before a request, and
//!   how long a 429 asks to wait.
//! - `retry.rs`: when a failed attempt of a repeatable request is sent again.
//! - `caps.rs`: the cap on requests in flight and on the bytes of a response body read.
//! - `notice.rs`: what an observer of a call is told of its holds and retries (the server's
//!   `logging` module tells the client).

mod caps;
mod notice;
mod retry;
mod window;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::sync::Semaphore;

use crate::config::Limits;
use crate::metrics::Metrics;
use window::Window;

pub use caps::is_body_too_large;
pub use notice::{Notice, Observer, Reason, observed};
pub use window::retry_wait;

/// Time as the policy sees it; tests substitute a clock that records waits instead of sleeping.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> SystemTime;
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[derive(Clone)]
pub struct Policy {
    clock: Arc<dyn Clock>,
    limits: Limits,
    in_flight: Arc<Semaphore>,
    window: Arc<Mutex<Option<Window>>>,
    /// Where requests, retries and rate-limit waits are counted (the server's one registry).
    metrics: Metrics,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Policy {
    pub fn new(limits: Limits, clock: Arc<dyn Clock>, metrics: Metrics) -> Self {
        let in_flight = Arc::new(Semaphore::new(limits.max_in_flight));
        Self {
            clock,
            limits,
            in_flight,
            window: Arc::new(Mutex::new(None)),
            metrics,
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}
