//! MCP logging: the `logging` capability, `logging/setLevel`, and the policy's holds and
//! retries told to a stdio client as `notifications/message` at or above the level it set.
//!
//! MCP 2025-11-25, server/utilities/logging
//! (<https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/logging>): a
//! server that sends log messages declares `logging: {}`; the client sets a minimum level with
//! `logging/setLevel` and gets `{}` (an unknown or missing level: -32602, see [`unreadable`]);
//! messages carry no secret and no personal information.
//!
//! How a notice gets here without an upward import: `policy` (far below) tells an observer of
//! the current call ([`crate::policy::observed`], a task-local scoped to the call's future)
//! when a request waits for a spent rate-limit window or is sent again. The handler runs each
//! request that may reach Intercom inside [`ClientLog::observing`], whose observer renders the
//! notice and sends it to the peer that made the request. A tracing layer was the other way,
//! but it is process-wide: it would need the subscriber installed (not so in in-process tests)
//! and its own way to find the right client.
//!
//! What is sent, and at which level:
//! - `warning`: the token's rate-limit window is spent (a hold before sending, or a 429), and
//!   how long the call waits;
//! - `info`: a repeatable request is sent again after a transient 5xx or no answer.
//!
//! Each names the operation, a status and a wait, never a token, an id or a body. Each is
//! followed by a wait of at least half a second, so the rate the spec asks servers to limit
//! is bounded by the policy itself.
//!
//! Before any `logging/setLevel` nothing is sent: the spec leaves the default to the server,
//! and a client that never asked is best left alone. Over stateless HTTP no level outlives its
//! request, so `logging/setLevel` is accepted with `{}` and nothing is sent. From 2026-07-28 on
//! the method no longer exists (SEP-2575,
//! <https://github.com/modelcontextprotocol/modelcontextprotocol/pull/2575>): it is -32601
//! and no `logging` capability is declared.

// rmcp marks the logging types deprecated: the 2026-07-28 revision drops them, the 2025
// revisions we also serve have them.
#![allow(deprecated)]

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    ConstString, InitializeResult, JsonObject, LoggingLevel, LoggingMessageNotificationParam,
    ProtocolVersion, SetLevelRequestMethod,
};
use rmcp::{ErrorData, Peer, RoleServer};
use serde_json::json;

use crate::policy::{Notice, Observer, Reason};

/// The logger every notice names: they all concern this server's requests to Intercom.
const LOGGER: &str = "intercom";

/// The level one session's client set: `None` until it sets one (then nothing is sent).
type Minimum = Arc<Mutex<Option<LoggingLevel>>>;

/// The logging state of one server: a session's level (stdio), or none kept (stateless HTTP).
#[derive(Clone)]
pub struct ClientLog {
    minimum: Option<Minimum>,
}

impl ClientLog {
    /// One client for the life of the process (stdio): the level it sets is kept.
    pub fn session() -> Self {
        Self {
            minimum: Some(Minimum::default()),
        }
    }

    /// Stateless HTTP: each request stands alone, so no level is kept and nothing is sent.
    pub fn stateless() -> Self {
        Self { minimum: None }
    }

    /// `logging/setLevel`: `{}` at the 2025 revisions, the level kept where there is a
    /// session; -32601 from 2026-07-28, which has no such method.
    pub fn set_level(
        &self,
        level: LoggingLevel,
        revision: Option<&ProtocolVersion>,
    ) -> Result<(), ErrorData> {
        if !has_logging(revision) {
            return Err(ErrorData::method_not_found::<SetLevelRequestMethod>());
        }
        if let Some(minimum) = &self.minimum {
            *minimum
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(level);
        }
        Ok(())
    }

    /// Runs `work` (one request's handling) with the policy's notices sent to `peer`, at or
    /// above the level in force when each is told.
    pub async fn observing<F: Future>(&self, peer: &Peer<RoleServer>, work: F) -> F::Output {
        let Some(minimum) = &self.minimum else {
            return work.await;
        };
        let forwarder = Forwarder {
            peer: peer.clone(),
            minimum: Arc::clone(minimum),
        };
        crate::policy::observed(Arc::new(forwarder), work).await
    }
}

/// The answer to a `logging/setLevel` whose params rmcp could not read (it hands such a
/// request over as a custom one): -32602 naming the levels, as the spec asks for an invalid
/// level, or -32601 from 2026-07-28. `None` for any other method.
pub fn unreadable(method: &str, revision: Option<&ProtocolVersion>) -> Option<ErrorData> {
    if method != SetLevelRequestMethod::VALUE {
        return None;
    }
    Some(if has_logging(revision) {
        ErrorData::invalid_params(
            "logging/setLevel takes `level`, one of: debug, info, notice, warning, error, \
             critical, alert, emergency",
            None,
        )
    } else {
        ErrorData::method_not_found::<SetLevelRequestMethod>()
    })
}

/// Adds `logging: {}` to an `initialize` answer, at the revisions that have logging.
pub fn declare(result: &mut InitializeResult) {
    if has_logging(Some(&result.protocol_version)) {
        result.capabilities.logging = Some(JsonObject::new());
    }
}

/// Whether `revision` has `logging/setLevel` (unknown: the 2025 revisions' session model).
fn has_logging(revision: Option<&ProtocolVersion>) -> bool {
    revision.is_none_or(|version| *version < ProtocolVersion::V_2026_07_28)
}

struct Forwarder {
    peer: Peer<RoleServer>,
    minimum: Minimum,
}

impl Forwarder {
    fn wants(&self, level: LoggingLevel) -> bool {
        let minimum = *self
            .minimum
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        minimum.is_some_and(|minimum| severity(level) >= severity(minimum))
    }
}

impl Observer for Forwarder {
    fn notice(&self, notice: Notice) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let message = message(&notice);
        if !self.wants(message.level) {
            return Box::pin(std::future::ready(()));
        }
        Box::pin(async move {
            // A client gone is no reason to fail the call: the answer goes nowhere either.
            if let Err(err) = self.peer.notify_logging_message(message).await {
                tracing::debug!(%err, "a log notification was not sent");
            }
        })
    }
}

/// RFC 5424's order, least severe first (the spec's table).
fn severity(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

/// The notification for `notice`: a sentence for the user, and the wait in milliseconds (and
/// the operation) for a client that shows fields.
fn message(notice: &Notice) -> LoggingMessageNotificationParam {
    let (level, data) = match notice {
        Notice::Held { wait } => (
            LoggingLevel::Warning,
            json!({
                "message": format!(
                    "Intercom's rate limit for this token is spent: waiting {} for it to reset \
                     before sending the request.",
                    seconds(*wait)
                ),
                "waitMs": millis(*wait),
            }),
        ),
        Notice::Retrying {
            operation,
            reason,
            wait,
        } => {
            let (level, what) = match reason {
                Reason::RateLimited => (
                    LoggingLevel::Warning,
                    format!("Intercom's rate limit stopped {operation}"),
                ),
                Reason::Status(status) => (
                    LoggingLevel::Info,
                    format!("Intercom answered {operation} with HTTP {status}"),
                ),
                Reason::NoAnswer(kind) => (
                    LoggingLevel::Info,
                    format!("Intercom did not answer {operation} ({kind})"),
                ),
            };
            (
                level,
                json!({
                    "message": format!("{what}: sending it again in {}.", seconds(*wait)),
                    "operation": operation,
                    "waitMs": millis(*wait),
                }),
            )
        }
    };
    LoggingMessageNotificationParam::new(level, data).with_logger(LOGGER)
}

fn seconds(wait: Duration) -> String {
    format!("{:.1} s", wait.as_secs_f64())
}

fn millis(wait: Duration) -> u64 {
    u64::try_from(wait.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_as_the_spec_lists_them() {
        let order = [
            LoggingLevel::Debug,
            LoggingLevel::Info,
            LoggingLevel::Notice,
            LoggingLevel::Warning,
            LoggingLevel::Error,
            LoggingLevel::Critical,
            LoggingLevel::Alert,
            LoggingLevel::Emergency,
        ];
        for pair in order.windows(2) {
            assert!(severity(pair[0]) < severity(pair[1]), "{pair:?}");
        }
    }

    #[test]
    fn a_hold_and_a_429_are_warnings_a_5xx_retry_is_info() {
        let held = message(&Notice::Held {
            wait: Duration::from_millis(4_200),
        });
        assert_eq!(held.level, LoggingLevel::Warning);
        assert_eq!(held.logger.as_deref(), Some(LOGGER));
        assert_eq!(held.data["waitMs"], 4_200);
        assert!(
            held.data["message"].as_str().unwrap().contains("4.2 s"),
            "{}",
            held.data
        );
        let retry = |reason| {
            message(&Notice::Retrying {
                operation: "list_tags".to_owned(),
                reason,
                wait: Duration::from_millis(600),
            })
        };
        assert_eq!(retry(Reason::RateLimited).level, LoggingLevel::Warning);
        let server_error = retry(Reason::Status(503));
        assert_eq!(server_error.level, LoggingLevel::Info);
        assert_eq!(
            server_error.data["message"],
            "Intercom answered list_tags with HTTP 503: sending it again in 0.6 s."
        );
        assert_eq!(server_error.data["operation"], "list_tags");
        assert_eq!(retry(Reason::NoAnswer("timeout")).level, LoggingLevel::Info);
    }

    #[test]
    fn set_level_is_gone_at_2026_07_28_and_declared_only_before() {
        let log = ClientLog::session();
        assert!(
            log.set_level(LoggingLevel::Info, Some(&ProtocolVersion::V_2025_11_25))
                .is_ok()
        );
        let gone = log
            .set_level(LoggingLevel::Info, Some(&ProtocolVersion::V_2026_07_28))
            .unwrap_err();
        assert_eq!(gone.code, rmcp::model::ErrorCode::METHOD_NOT_FOUND);
        assert!(
            ClientLog::stateless()
                .set_level(LoggingLevel::Debug, None)
                .is_ok()
        );
        let unknown = unreadable("logging/setLevel", None).unwrap();
        assert_eq!(unknown.code, rmcp::model::ErrorCode::INVALID_PARAMS);
        assert!(unknown.message.contains("warning"), "{}", unknown.message);
        let later = unreadable("logging/setLevel", Some(&ProtocolVersion::V_2026_07_28));
        assert_eq!(
            later.unwrap().code,
            rmcp::model::ErrorCode::METHOD_NOT_FOUND
        );
        assert!(unreadable("tools/frobnicate", None).is_none());
        assert!(has_logging(Some(&ProtocolVersion::V_2025_06_18)));
        assert!(!has_logging(Some(&ProtocolVersion::V_2026_07_28)));
    }
}
