//! Whether a failed request is sent again: only operations that are safe to repeat, on a 429
//! the answer says how long to wait for, a transient 5xx, or no answer at all; with backoff.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::{Response, StatusCode};

use super::caps::cap_body;
use super::notice::{Notice, Pending, Reason};
use super::window::{jitter, retry_wait};
use super::{Clock, Policy};
use crate::metrics::{Retry, Wait};

/// Why an attempt did not give a final answer.
enum Attempt {
    /// 429: worth another try after `wait` (when the answer said how long).
    RateLimited(Response, Option<Duration>),
    /// 5xx on a repeatable operation.
    ServerError(Response),
    /// No answer; `repeatable` when the operation may be sent again.
    Transport(reqwest::Error, bool),
}

impl Policy {
    /// Sends `request`, retrying as the policy allows; the answer's body is capped. Only a
    /// `repeatable` request (the caller knows: a tool's annotations, a directory read's own
    /// fact) is sent again after a transient failure; a 429 was not applied, so any is.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &str,
        repeatable: bool,
    ) -> reqwest::Result<Response> {
        let attempt = || async {
            // JSON bodies are bytes, so a request always clones; were one ever to stream,
            // it is sent once (below), which is the safe direction.
            let Some(request) = request.try_clone() else {
                return Err(None);
            };
            self.attempt(client, request, operation, repeatable)
                .await
                .map_err(Some)
        };
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(8))
            .with_max_times(self.limits.attempts.saturating_sub(1))
            .with_jitter();
        let max_wait = self.limits.max_retry_wait;
        // What the observer is told of a retry, before the wait that precedes it.
        let pending = Pending::default();
        let sleeper = ClockSleeper {
            clock: Arc::clone(&self.clock),
            pending: pending.clone(),
        };
        let outcome = attempt
            .retry(backoff)
            .sleep(sleeper)
            .when(|failure: &Option<Attempt>| match failure {
                Some(Attempt::RateLimited(_, wait)) => wait.is_none_or(|wait| wait <= max_wait),
                Some(Attempt::ServerError(_)) => true,
                Some(Attempt::Transport(_, repeatable)) => *repeatable,
                None => false,
            })
            .adjust(|failure, backoff| match (failure, backoff) {
                (Some(Attempt::RateLimited(_, Some(wait))), Some(_)) => {
                    Some(wait.saturating_add(jitter(*wait)))
                }
                (_, backoff) => backoff,
            })
            .notify(|failure, wait| {
                // `when` repeats no `None`.
                let Some(failure) = failure.as_ref() else {
                    return;
                };
                let reason = failure.reason();
                (self.metrics).intercom_retry(operation, failure.counted());
                if let Attempt::RateLimited(..) = failure {
                    self.metrics.rate_limit_wait(Wait::RetryAfter);
                }
                tracing::info!(operation, wait_ms = wait.as_millis(), why = %reason, "retrying");
                pending.put(Notice::Retrying {
                    operation: operation.to_owned(),
                    reason,
                    wait,
                });
            })
            .await;
        let max_body = self.limits.max_body_bytes;
        match outcome {
            Ok(response) => Ok(cap_body(response, max_body)),
            Err(Some(Attempt::RateLimited(response, _) | Attempt::ServerError(response))) => {
                Ok(cap_body(response, max_body))
            }
            Err(Some(Attempt::Transport(err, _))) => Err(err),
            // Unreachable in practice (see above): send it once, without retries.
            Err(None) => self
                .send_in_turn(client, request, operation)
                .await
                .map(|response| cap_body(response, max_body)),
        }
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &str,
        repeatable: bool,
    ) -> Result<Response, Attempt> {
        let sent = self.send_in_turn(client, request, operation).await;
        let response = match sent {
            Ok(response) => response,
            // A timeout spent the whole per-request deadline: answering at the deadline beats
            // trying again for as long once more.
            Err(err) => {
                let retry = repeatable && !err.is_timeout();
                return Err(Attempt::Transport(err, retry));
            }
        };
        self.observe(response.headers());
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let wait = retry_wait(response.headers(), self.clock.now());
            return Err(Attempt::RateLimited(response, wait));
        }
        let transient = matches!(status.as_u16(), 500 | 502 | 503 | 504);
        if transient && repeatable {
            return Err(Attempt::ServerError(response));
        }
        Ok(response)
    }
}

impl Attempt {
    /// The retry's reason as the metrics count it (a bounded label).
    fn counted(&self) -> Retry {
        match self {
            Self::RateLimited(..) => Retry::RateLimited,
            Self::ServerError(_) => Retry::ServerError,
            Self::Transport(..) => Retry::NoAnswer,
        }
    }

    fn reason(&self) -> Reason {
        match self {
            Self::RateLimited(..) => Reason::RateLimited,
            Self::ServerError(response) => Reason::Status(response.status().as_u16()),
            Self::Transport(err, _) => Reason::NoAnswer(if err.is_timeout() {
                "timeout"
            } else if err.is_connect() {
                "connection failed"
            } else {
                "transport error"
            }),
        }
    }
}

/// backon's sleeper over our clock; it first tells the observer of the retry it waits for. A
/// named type, not a closure: a closure made inside `execute` would carry its lifetimes and
/// could not be `'static`.
struct ClockSleeper {
    clock: Arc<dyn Clock>,
    pending: Pending,
}

impl backon::Sleeper for ClockSleeper {
    type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        let (clock, pending) = (Arc::clone(&self.clock), self.pending.clone());
        Box::pin(async move {
            pending.tell().await;
            clock.sleep(duration).await;
        })
    }
}
