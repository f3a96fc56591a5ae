//! What happens around every request to Intercom: a cap on requests in flight, a hold while
//! the token's rate-limit window is spent, 429s waited out, transient failures retried for
//! operations that are safe to repeat (never for writes that may have been applied), and a cap
//! on how much of a response body is read.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use tokio::sync::Semaphore;

use crate::config::Limits;

/// The operations that are safe to send again after a failure: reads, the two searches,
/// `PUT /contacts/{id}` (the same update twice leaves the same contact). Named as progenitor
/// names operations (snake_case).
pub const REPEATABLE: &[&str] = &[
    "list_contacts",
    "search_contacts",
    "show_contact",
    "update_contact",
    "list_conversations",
    "search_conversations",
    "retrieve_conversation",
    "list_all_companies",
    "retrieve_a_company_by_id",
    "list_tags",
    "identify_admin",
];

/// True when `operation_id` (as in the document, e.g. `UpdateContact`) may be sent again.
pub fn is_repeatable(operation_id: &str) -> bool {
    REPEATABLE.contains(&snake_case(operation_id).as_str())
}

/// progenitor's method name for an operationId: `RetrieveACompanyById` → `retrieve_a_company_by_id`.
pub fn snake_case(operation_id: &str) -> String {
    let chars: Vec<char> = operation_id.chars().collect();
    let mut out = String::new();
    for (index, c) in chars.iter().enumerate() {
        let previous = index.checked_sub(1).and_then(|i| chars.get(i));
        let next = chars.get(index + 1);
        let boundary = c.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase() || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

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

/// What the last answer said about the token's rate-limit window.
#[derive(Clone, Copy, Debug)]
struct Window {
    remaining: u64,
    reset_at: SystemTime,
}

#[derive(Clone)]
pub struct Policy {
    clock: Arc<dyn Clock>,
    limits: Limits,
    in_flight: Arc<Semaphore>,
    window: Arc<Mutex<Option<Window>>>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

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
    pub fn new(limits: Limits, clock: Arc<dyn Clock>) -> Self {
        let in_flight = Arc::new(Semaphore::new(limits.max_in_flight));
        Self {
            clock,
            limits,
            in_flight,
            window: Arc::new(Mutex::new(None)),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Before a request: when the window is spent, wait for its reset, or refuse when that is
    /// further away than `max_retry_wait` (the message says when to try again).
    pub async fn hold(&self) -> Result<(), String> {
        let now = self.clock.now();
        let spent_until = self
            .window
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .filter(|window| window.remaining == 0 && window.reset_at > now)
            .map(|window| window.reset_at);
        let Some(reset_at) = spent_until else {
            return Ok(());
        };
        let wait = reset_at.duration_since(now).unwrap_or_default();
        if wait > self.limits.max_retry_wait {
            return Err(too_long(reset_at, wait, self.limits.max_retry_wait));
        }
        tracing::info!(
            wait_ms = wait.as_millis(),
            "rate-limit window spent: holding the request"
        );
        self.clock.sleep(wait.saturating_add(jitter(wait))).await;
        Ok(())
    }

    /// Sends `request`, retrying as the policy allows; the answer's body is capped.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &str,
    ) -> reqwest::Result<Response> {
        let repeatable = REPEATABLE.contains(&operation);
        let attempt = || async {
            // JSON bodies are bytes, so a request always clones; were one ever to stream,
            // it is sent once (below), which is the safe direction.
            let Some(request) = request.try_clone() else {
                return Err(None);
            };
            self.attempt(client, request, repeatable)
                .await
                .map_err(Some)
        };
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(8))
            .with_max_times(self.limits.attempts.saturating_sub(1))
            .with_jitter();
        let max_wait = self.limits.max_retry_wait;
        let outcome = attempt
            .retry(backoff)
            .sleep(ClockSleeper(Arc::clone(&self.clock)))
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
                let why = match failure {
                    Some(Attempt::RateLimited(..)) => "rate limited (429)".to_owned(),
                    Some(Attempt::ServerError(response)) => {
                        format!("HTTP {}", response.status().as_u16())
                    }
                    Some(Attempt::Transport(err, _)) => format!("{}", TransportKind(err)),
                    None => "unknown".to_owned(),
                };
                tracing::info!(operation, wait_ms = wait.as_millis(), why, "retrying");
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
            Err(None) => client
                .execute(request)
                .await
                .map(|response| cap_body(response, max_body)),
        }
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        repeatable: bool,
    ) -> Result<Response, Attempt> {
        let permit = self.in_flight.acquire().await;
        let sent = client.execute(request).await;
        drop(permit);
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

    /// Remembers the window an answer reports, so later requests hold instead of hitting 429s.
    fn observe(&self, headers: &HeaderMap) {
        let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        if let (Some(remaining), Some(reset)) =
            (number("x-ratelimit-remaining"), number("x-ratelimit-reset"))
        {
            // A reset no clock can represent is no information: ignore it.
            let Some(reset_at) = UNIX_EPOCH.checked_add(Duration::from_secs(reset)) else {
                return;
            };
            *self
                .window
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Window {
                remaining,
                reset_at,
            });
        }
    }
}

/// backon's sleeper over our clock. A named type, not a closure: a closure made inside
/// `execute` would carry its lifetimes and could not be `'static`.
struct ClockSleeper(Arc<dyn Clock>);

impl backon::Sleeper for ClockSleeper {
    type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        self.0.sleep(duration)
    }
}

struct TransportKind<'a>(&'a reqwest::Error);

impl std::fmt::Display for TransportKind<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let err = self.0;
        f.write_str(if err.is_timeout() {
            "timeout"
        } else if err.is_connect() {
            "connection failed"
        } else {
            "transport error"
        })
    }
}

/// How long a 429 asks to wait: `Retry-After` (seconds or an HTTP date), else until
/// `X-RateLimit-Reset` (unix seconds).
pub fn retry_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    if let Some(value) = header("retry-after") {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(at) = httpdate::parse_http_date(value) {
            return Some(at.duration_since(now).unwrap_or_default());
        }
    }
    let reset = header("x-ratelimit-reset")?.parse::<u64>().ok()?;
    Some(
        UNIX_EPOCH
            .checked_add(Duration::from_secs(reset))?
            .duration_since(now)
            .unwrap_or_default(),
    )
}

/// Up to a tenth of the wait, at most a second: requests held together do not all fire at
/// the same instant.
fn jitter(wait: Duration) -> Duration {
    let ceiling = (wait / 10).min(Duration::from_secs(1)).as_millis() as u64;
    Duration::from_millis(fastrand::u64(0..=ceiling))
}

fn too_long(reset_at: SystemTime, wait: Duration, max: Duration) -> String {
    format!(
        "Intercom's rate limit for this token is spent until {} (in {} s), longer than the {} s \
         this server waits (INTERCOM_MAX_RETRY_WAIT). Nothing was sent; try again after that time.",
        crate::output::iso(
            reset_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs())
        )
        .unwrap_or_else(|| "a time too far off to show".to_owned()),
        wait.as_secs(),
        max.as_secs()
    )
}

fn cap_body(response: Response, max: usize) -> Response {
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let capped = reqwest::Body::wrap(http_body_util::Limited::new(body, max));
    Response::from(http::Response::from_parts(parts, capped))
}

/// True when reading a body failed because it exceeded the cap.
pub fn is_body_too_large(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = current {
        if cause.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_then_the_reset_header() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(
            retry_wait(&headers(&[("retry-after", "7")]), now),
            Some(Duration::from_secs(7))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(12));
        assert_eq!(
            retry_wait(&headers(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(12))
        );
        let reset = headers(&[("x-ratelimit-reset", "1800000004")]);
        assert_eq!(retry_wait(&reset, now), Some(Duration::from_secs(4)));
        assert_eq!(retry_wait(&headers(&[]), now), None);
    }

    #[test]
    fn operation_ids_become_progenitor_method_names() {
        let names: Vec<String> = crate::operations::OPERATIONS
            .iter()
            .map(|id| snake_case(id))
            .collect();
        assert_eq!(
            names,
            [
                "list_contacts",
                "search_contacts",
                "show_contact",
                "create_contact",
                "update_contact",
                "create_note",
                "list_conversations",
                "search_conversations",
                "retrieve_conversation",
                "reply_conversation",
                "manage_conversation",
                "list_all_companies",
                "retrieve_a_company_by_id",
                "list_tags",
                "attach_tag_to_contact",
                "identify_admin",
            ]
        );
        assert!(
            is_repeatable("UpdateContact")
                && is_repeatable("listTags")
                && is_repeatable("SearchContacts")
        );
        for write in [
            "CreateContact",
            "createNote",
            "replyConversation",
            "manageConversation",
            "attachTagToContact",
        ] {
            assert!(!is_repeatable(write), "{write}");
        }
    }

    #[test]
    fn hostile_rate_limit_headers_do_not_panic() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(
            retry_wait(
                &headers(&[("x-ratelimit-reset", "18446744073709551615")]),
                now
            ),
            None
        );
        let huge = retry_wait(&headers(&[("retry-after", "18446744073709551615")]), now).unwrap();
        assert!(huge.saturating_add(jitter(huge)) >= huge);
        let policy = Policy::new(Limits::default(), Arc::new(SystemClock));
        policy.observe(&headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "18446744073709551615"),
        ]));
        let far = UNIX_EPOCH + Duration::from_secs(300_000_000_000);
        assert!(
            too_long(far, Duration::from_secs(1), Duration::from_secs(60)).contains("too far off")
        );
    }

    #[test]
    fn jitter_stays_small() {
        for _ in 0..100 {
            assert!(jitter(Duration::from_secs(5)) <= Duration::from_millis(500));
            assert!(jitter(Duration::from_secs(60)) <= Duration::from_secs(1));
        }
    }
}
