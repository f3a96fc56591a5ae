//! The metrics of the requests this server sends to Intercom: each attempt by operation and
//! status, how long it took, the retries and rate-limit waits around it, the 429s, and the
//! fraction of the rate-limit window each answer says remains. The window is per workspace;
//! these are its aggregate (no workspace, token or id is ever a label).

use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::{Metrics, OTHER};
use crate::operations::OPERATIONS;

/// Seconds, from sending a request to the head of its answer.
const REQUEST_BUCKETS: [f64; 11] = [0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// The remaining fraction of the window: the low end is where 429s come from.
const RATIO_BUCKETS: [f64; 7] = [0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0];

/// Why a request is sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Intercom answered 429.
    RateLimited,
    /// A transient 5xx, on an operation safe to repeat.
    ServerError,
    /// No answer came (connection failed, transport error).
    NoAnswer,
}

impl Retry {
    fn label(self) -> &'static str {
        match self {
            Self::RateLimited => "429",
            Self::ServerError => "5xx",
            Self::NoAnswer => "no_answer",
        }
    }
}

/// Why a request waited before it was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// The window was spent: held until it resets.
    Window,
    /// After a 429, for as long as the answer asked (or a backoff when it did not say).
    RetryAfter,
}

impl Wait {
    fn label(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::RetryAfter => "retry_after",
        }
    }
}

/// An answer's HTTP status, or `none` when no answer came.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
struct Status(Option<u16>);

impl EncodeLabelValue for Status {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        match self.0 {
            Some(code) => EncodeLabelValue::encode(&code, encoder),
            None => EncodeLabelValue::encode(&"none", encoder),
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    operation: &'static str,
    status: Status,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Operation {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Retried {
    operation: &'static str,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Waited {
    reason: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// The Intercom families, registered once with the server's registry.
pub(super) struct Families {
    requests: Family<Request, Counter>,
    durations: Histograms<Operation>,
    retries: Family<Retried, Counter>,
    waits: Family<Waited, Counter>,
    rate_limited: Counter,
    remaining: Histogram,
}

impl Families {
    pub(super) fn register(registry: &mut Registry) -> Self {
        let families = Self {
            requests: Family::default(),
            durations: Histograms::new_with_constructor(|| Histogram::new(REQUEST_BUCKETS)),
            retries: Family::default(),
            waits: Family::default(),
            rate_limited: Counter::default(),
            remaining: Histogram::new(RATIO_BUCKETS),
        };
        // Counters are registered without `_total`: the encoder adds it.
        registry.register(
            "intercom_requests",
            "Requests sent to Intercom, each attempt once, by operation and HTTP status (none: no answer)",
            families.requests.clone(),
        );
        registry.register(
            "intercom_request_duration_seconds",
            "How long Intercom took to answer a request (to the answer's head), by operation",
            families.durations.clone(),
        );
        registry.register(
            "intercom_retries",
            "Requests sent again, by operation and why (429, 5xx, no_answer)",
            families.retries.clone(),
        );
        registry.register(
            "intercom_rate_limit_waits",
            "Waits for Intercom's rate limit: window (held until the window resets), retry_after (after a 429)",
            families.waits.clone(),
        );
        registry.register(
            "intercom_rate_limit_responses",
            "429 answers received from Intercom",
            families.rate_limited.clone(),
        );
        registry.register(
            "intercom_rate_limit_remaining_ratio",
            "The fraction of the rate-limit window left, as each answer's X-RateLimit headers report it",
            families.remaining.clone(),
        );
        families
    }
}

/// The operation as a label: its operationId in our allowlist, else [`OTHER`]. The generated
/// client names an operation in snake case (`retrieve_a_company_by_id` for
/// `RetrieveACompanyById`), so the two compare without underscores and case.
fn bounded(operation: &str) -> &'static str {
    let folded = || {
        (operation.bytes())
            .filter(|byte| *byte != b'_')
            .map(|byte| byte.to_ascii_lowercase())
    };
    OPERATIONS
        .iter()
        .find(|ours| {
            ours.bytes()
                .map(|byte| byte.to_ascii_lowercase())
                .eq(folded())
        })
        .copied()
        .unwrap_or(OTHER)
}

impl Metrics {
    /// One request sent: its answer's `status` (`None`: no answer came), after `took`.
    pub fn intercom_request(&self, operation: &str, status: Option<u16>, took: Duration) {
        let operation = bounded(operation);
        let intercom = &self.inner.intercom;
        let labels = Request {
            operation,
            status: Status(status),
        };
        intercom.requests.get_or_create(&labels).inc();
        (intercom.durations)
            .get_or_create(&Operation { operation })
            .observe(took.as_secs_f64());
        if status == Some(429) {
            intercom.rate_limited.inc();
        }
    }

    /// A request is about to be sent again.
    pub fn intercom_retry(&self, operation: &str, why: Retry) {
        let labels = Retried {
            operation: bounded(operation),
            reason: why.label(),
        };
        self.inner.intercom.retries.get_or_create(&labels).inc();
    }

    /// A request waits for the rate limit.
    pub fn rate_limit_wait(&self, why: Wait) {
        let labels = Waited {
            reason: why.label(),
        };
        self.inner.intercom.waits.get_or_create(&labels).inc();
    }

    /// An answer reported `remaining` of `limit` requests left in the window. A limit of 0
    /// says nothing about a fraction, and is not observed.
    pub fn rate_limit_remaining(&self, remaining: u64, limit: u64) {
        if limit == 0 {
            return;
        }
        let ratio = (remaining as f64 / limit as f64).clamp(0.0, 1.0);
        self.inner.intercom.remaining.observe(ratio);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn requests_by_status_and_no_answer_and_an_unknown_operation_is_other() {
        let metrics = Metrics::default();
        let took = Duration::from_millis(40);
        metrics.intercom_request("list_tags", Some(200), took);
        metrics.intercom_request("listTags", Some(429), took);
        metrics.intercom_request("retrieve_a_company_by_id", Some(200), took);
        metrics.intercom_request("listTags", None, took);
        metrics.intercom_request("deleteEverything", Some(200), took);
        metrics.intercom_retry("listTags", Retry::RateLimited);
        metrics.rate_limit_wait(Wait::RetryAfter);
        metrics.rate_limit_remaining(9, 10);
        metrics.rate_limit_remaining(5, 0);
        let text = metrics.render();
        for line in [
            "intercom_requests_total{operation=\"listTags\",status=\"200\"} 1",
            "intercom_requests_total{operation=\"listTags\",status=\"429\"} 1",
            "intercom_requests_total{operation=\"listTags\",status=\"none\"} 1",
            "intercom_requests_total{operation=\"_OTHER\",status=\"200\"} 1",
            "intercom_requests_total{operation=\"RetrieveACompanyById\",status=\"200\"} 1",
            "intercom_request_duration_seconds_bucket{operation=\"listTags\",le=\"0.05\"} 3",
            "intercom_retries_total{operation=\"listTags\",reason=\"429\"} 1",
            "intercom_rate_limit_waits_total{reason=\"retry_after\"} 1",
            "intercom_rate_limit_responses_total 1",
            "intercom_rate_limit_remaining_ratio_bucket{le=\"0.75\"} 0",
            "intercom_rate_limit_remaining_ratio_bucket{le=\"1\"} 1",
            "intercom_rate_limit_remaining_ratio_count 1",
        ] {
            assert!(text.lines().any(|got| got == line), "{line}\n{text}");
        }
        assert!(!text.contains("deleteEverything"), "{text}");
    }
}
