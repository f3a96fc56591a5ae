//! Confirmation before a customer sees anything. A reply with `message_type: comment`, or a
//! close or assignment that carries a message, reaches the customer and cannot be taken back;
//! when the client supports form elicitation (MCP 2025-06-18 and later, client capability
//! `elicitation`), the user is asked to confirm the exact text before it is sent, and a
//! decline sends nothing. Clients without elicitation behave as before. `--confirm-writes`
//! (`INTERCOM_CONFIRM_WRITES`, [`ConfirmWrites`]) chooses which writes ask: `never`,
//! `customer-visible` (default) or `all`. Which writes reach a customer, each tool says.
//! Reference: modelcontextprotocol.io/specification/2025-11-25/client/elicitation.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp::model::{ElicitRequestParams, ElicitationAction, ElicitationSchema};
use rmcp::service::ElicitationMode;
use rmcp::{Peer, RoleServer};
use serde_json::{Map, Value};
use tokio::sync::Notify;

use crate::config::ConfirmWrites;

/// How long the user has to answer before the write is given up (and not sent).
const ANSWER_WITHIN: Duration = Duration::from_secs(600);

/// A write about to be sent, as the user is asked about it. The tool says whether its call
/// reaches a customer; this module knows no tool.
pub struct Write<'a> {
    /// The tool's title, e.g. "Reply to a conversation".
    pub title: &'static str,
    pub args: &'a Map<String, Value>,
    /// What the customer will see, when the call reaches one.
    pub to_customer: Option<CustomerMessage<'a>>,
}

/// A message a customer sees and that cannot be taken back.
pub struct CustomerMessage<'a> {
    pub conversation: &'a str,
    pub body: &'a str,
}

/// The question for `write`, if `policy` asks for one.
pub fn question(write: &Write<'_>, policy: ConfirmWrites) -> Option<String> {
    match (&write.to_customer, policy) {
        (_, ConfirmWrites::Never) => None,
        (Some(message), _) => Some(format!(
            "Send this message to the customer in conversation {}? They will see it and it \
             cannot be taken back.\n\n{}",
            message.conversation, message.body
        )),
        (None, ConfirmWrites::All) => Some(format!(
            "Allow {} with these arguments?\n\n{}",
            write.title,
            Value::Object(write.args.clone())
        )),
        (None, ConfirmWrites::CustomerVisible) => None,
    }
}

/// How many calls are in some state right now, with a wake-up on each change: the server keeps
/// one for the calls waiting for the user's answer, and one for the calls running. The stdio
/// transport bounds the calls in flight but leaves out those waiting for the user: such a call
/// must not stop the reader from reading the answer it waits for.
#[derive(Default)]
pub struct Gauge {
    count: AtomicUsize,
    changed: Notify,
}

impl Gauge {
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// Resolves after the next change of [`Gauge::count`] (or at once if one happened since
    /// the last wait).
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    /// Counts one call until the guard is dropped, also when the call's future is dropped
    /// midway.
    pub fn begin(&self) -> GaugeGuard<'_> {
        self.count.fetch_add(1, Ordering::AcqRel);
        self.changed.notify_one();
        GaugeGuard(self)
    }
}

/// One call counted; see [`Gauge::begin`].
pub struct GaugeGuard<'a>(&'a Gauge);

impl Drop for GaugeGuard<'_> {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::AcqRel);
        self.0.changed.notify_one();
    }
}

/// What came of asking.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send it.
    Confirmed,
    /// Do not send it; the text says why, for the model.
    Refused(String),
    /// The client cannot be asked: go on as without confirmation.
    NotAsked,
}

/// Asks the user through the client, when it supports form elicitation.
pub async fn ask(peer: &Peer<RoleServer>, question: String) -> Decision {
    if !peer
        .supported_elicitation_modes()
        .contains(&ElicitationMode::Form)
    {
        return Decision::NotAsked;
    }
    let Ok(schema) = ElicitationSchema::builder()
        .required_bool("send")
        .description("Tick to send, leave unticked to cancel.")
        .build()
    else {
        return Decision::NotAsked;
    };
    let request = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: question,
        requested_schema: schema,
    };
    let refused = |why: &str| {
        Decision::Refused(format!(
            "Not sent: {why}. Nothing reached Intercom. Do not retry unless the user asks you to."
        ))
    };
    match peer
        .create_elicitation_with_timeout(request, Some(ANSWER_WITHIN))
        .await
    {
        Ok(result) => match result.action {
            ElicitationAction::Accept
                if result
                    .content
                    .as_ref()
                    .and_then(|content| content.get("send"))
                    == Some(&Value::Bool(true)) =>
            {
                Decision::Confirmed
            }
            ElicitationAction::Accept | ElicitationAction::Decline => {
                refused("the user declined to send it")
            }
            ElicitationAction::Cancel => refused("the user cancelled"),
            // An answer of a kind newer than this server: not a yes.
            _ => refused("the answer was not a confirmation"),
        },
        Err(err) => {
            tracing::warn!("could not ask the user to confirm a write: {err}");
            refused("the user could not be asked to confirm it")
        }
    }
}
