//! The audit trail of writes (`--audit-log`, `INTERCOM_MCP_AUDIT_LOG`): for each write attempt,
//! an intent line written and flushed before anything is sent, and an outcome line after the
//! answer, as JSON lines (docs/operations.md, "Audit trail"). A line says who acted, where,
//! on which records and how the write was confirmed; of a message body only its SHA-256 and
//! length, and never a token. `IntercomServer::call_in` records it; `sink.rs` owns the file.

mod line;
mod sink;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::config::AuditLog;
use sink::Sink;

pub use line::{Attempt, Confirmation, Digest, Outcome, Report};

/// What the model reads when the intent line cannot be written: the write is not sent.
pub const NOT_RECORDED: &str = "Not sent: this server records every write in its audit log \
before sending it, and the audit log could not be written. Nothing reached Intercom. Ask the \
operator to check the audit log (--audit-log, INTERCOM_MCP_AUDIT_LOG); the call can be made \
again once it can be written.";

/// The audit trail; cloning is cheap. Off (writes nothing) when `--audit-log` is unset.
#[derive(Clone, Default)]
pub struct Audit {
    sink: Option<Arc<Sink>>,
}

/// The intent line could not be written: the write must not be sent.
#[derive(Debug, thiserror::Error)]
#[error("the audit log could not be written: {0}")]
pub struct NotRecorded(#[from] std::io::Error);

impl Audit {
    /// The trail `target` asks for. A file is opened now, so a path that cannot be written is
    /// reported at start-up; it is tried again at each write, which is refused until it opens.
    pub fn open(target: Option<&AuditLog>) -> Self {
        let sink = target.map(|target| Arc::new(Sink::new(target)));
        if let Some(sink) = &sink
            && let Err(err) = sink.open()
        {
            tracing::error!(
                "cannot open the audit log ({err}); every write will be refused until it can be"
            );
        }
        Self { sink }
    }

    pub fn is_on(&self) -> bool {
        self.sink.is_some()
    }

    /// Whether lines can be written now (the file opens); `Ok` when the trail is off.
    pub fn ready(&self) -> Result<(), NotRecorded> {
        if let Some(sink) = &self.sink {
            sink.open()?;
        }
        Ok(())
    }

    /// Writes and flushes `attempt`'s intent line; `Err`: it is not recorded, so do not send.
    pub fn intent(&self, attempt: &Attempt) -> Result<(), NotRecorded> {
        let Some(sink) = &self.sink else {
            return Ok(());
        };
        sink.write(&line::intent(attempt))?;
        Ok(())
    }

    /// Writes `attempt`'s outcome line. What was sent is sent: a failure here is logged, and
    /// the answer still goes to the model.
    pub fn outcome(&self, attempt: &Attempt, report: &Report) {
        let Some(sink) = &self.sink else { return };
        if let Err(err) = sink.write(&line::outcome(attempt, report)) {
            tracing::error!(
                tool = attempt.tool,
                outcome = report.outcome.name(),
                "cannot write an outcome line to the audit log: {err}"
            );
        }
    }

    /// Reopens the file at its path on every SIGHUP, on a task of its own: after logrotate
    /// moves it (`postrotate … kill -HUP`), lines go to a new file at the same path. Nothing
    /// to do for stderr or when the trail is off. Call within a Tokio runtime.
    pub fn reopen_on_hangup(&self) {
        #[cfg(unix)]
        if let Some(sink) = self.sink.clone().filter(|sink| sink.is_file()) {
            use tokio::signal::unix::{SignalKind, signal};
            let mut hangups = match signal(SignalKind::hangup()) {
                Ok(hangups) => hangups,
                Err(err) => {
                    tracing::warn!(
                        "cannot listen for SIGHUP, so the audit log is not reopened on it: {err}"
                    );
                    return;
                }
            };
            tokio::spawn(async move {
                while hangups.recv().await.is_some() {
                    match sink.reopen() {
                        Ok(()) => tracing::info!("audit log reopened (SIGHUP)"),
                        Err(err) => tracing::error!(
                            "cannot reopen the audit log ({err}); writes are refused until it can be"
                        ),
                    }
                }
            });
        }
    }
}

/// A fresh trace id (W3C's 32 lowercase hex digits, never all zeros), for a call that came
/// with none: the intent and outcome lines of one attempt share it.
pub fn trace_id() -> String {
    let id = fastrand::u128(1..);
    format!("{id:032x}")
}

/// The ids a write's (checked) arguments name: `id` and every `…_id` at the top level but
/// `admin_id` (a line's own field), as text.
pub fn ids(args: &Map<String, Value>) -> BTreeMap<String, String> {
    args.iter()
        .filter(|(name, _)| (*name == "id" || name.ends_with("_id")) && *name != "admin_id")
        .filter_map(|(name, value)| Some((name.clone(), id_text(value)?)))
        .collect()
}

/// An id as text: a string, or a number written as one.
pub fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The message body in `args` (`body`, when it is text): its digest, never the text.
pub fn body(args: &Map<String, Value>) -> Option<Digest> {
    args.get("body").and_then(Value::as_str).map(Digest::of)
}

#[cfg(test)]
mod tests;
