//! The token's rate-limit window: what the last answer said about it, the hold before a
//! request while it is spent, and how long a 429 asks to wait.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

use super::Policy;

/// What the last answer said about the token's rate-limit window.
#[derive(Clone, Copy, Debug)]
pub(super) struct Window {
    remaining: u64,
    reset_at: SystemTime,
}

impl Policy {
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
        self.metrics.rate_limit_wait(crate::metrics::Wait::Window);
        super::notice::tell(super::notice::Notice::Held { wait }).await;
        self.clock.sleep(wait.saturating_add(jitter(wait))).await;
        Ok(())
    }

    /// Remembers the window an answer reports, so later requests hold instead of hitting 429s;
    /// the fraction left is observed for the metrics.
    pub(super) fn observe(&self, headers: &HeaderMap) {
        let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        // Remaining first: an answer without it (most of a test's, any of a mock's) costs one
        // header lookup.
        let Some(remaining) = number("x-ratelimit-remaining") else {
            return;
        };
        if let Some(limit) = number("x-ratelimit-limit") {
            self.metrics.rate_limit_remaining(remaining, limit);
        }
        // A reset no clock can represent is no information: ignore it.
        let Some(reset_at) = number("x-ratelimit-reset")
            .and_then(|reset| UNIX_EPOCH.checked_add(Duration::from_secs(reset)))
        else {
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
pub(super) fn jitter(wait: Duration) -> Duration {
    let ceiling = (wait / 10).min(Duration::from_secs(1)).as_millis() as u64;
    Duration::from_millis(fastrand::u64(0..=ceiling))
}

fn too_long(reset_at: SystemTime, wait: Duration, max: Duration) -> String {
    format!(
        "Intercom's rate limit for this token is spent until {} (in {} s), longer than the {} s \
         this server waits (INTERCOM_MAX_RETRY_WAIT). Nothing was sent; try again after that time.",
        crate::time::iso(
            reset_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs())
        )
        .unwrap_or_else(|| "a time too far off to show".to_owned()),
        wait.as_secs(),
        max.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use reqwest::header::HeaderValue;

    use super::*;
    use crate::config::Limits;
    use crate::policy::SystemClock;

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
        let metrics = crate::metrics::Metrics::default();
        let policy = Policy::new(Limits::default(), Arc::new(SystemClock), metrics);
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
