//! Confirmation before a customer sees anything. A reply with `message_type: comment`, or a
//! close or assignment that carries a message, reaches the customer and cannot be taken back;
//! when the client supports form elicitation (MCP 2025-06-18 and later, client capability
//! `elicitation`), the user is asked to confirm the exact text before it is sent, and a
//! decline sends nothing. `--confirm-writes` (`INTERCOM_CONFIRM_WRITES`, [`ConfirmWrites`])
//! chooses which writes ask: `never`, `customer-visible` (default) or `all`; `--unconfirmable`
//! ([`crate::config::Unconfirmable`]) what becomes of them when nobody can be asked. Which writes reach a
//! customer, each tool says.
//!
//! Two ways to ask, by revision: before 2026-07-28 in a session (stdio), a request from server
//! to client mid-call ([`ask`]); at 2026-07-28, over stdio or HTTP, the call is answered with
//! the input it requires and a sealed request state, and the retry brings the answer
//! ([`round`]).
//! References: modelcontextprotocol.io/specification/2025-11-25/client/elicitation;
//! https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/mrtr.

pub mod round;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp::model::{
    ClientCapabilities, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema,
    MetaObject,
};
use rmcp::{Peer, RoleServer};
use serde_json::{Map, Value};
use tokio::sync::Notify;

use crate::config::ConfirmWrites;

/// How long the user has to answer before the write is given up (and not sent); at 2026-07-28
/// also how long a request state opens.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(600);

/// The `_meta` member of a result that says whether the user was asked: `confirmed`,
/// `declined` or `not-asked`.
pub const META_KEY: &str = "intercom-mcp/confirmation";

/// Whether a client declared form elicitation (a bare `elicitation: {}` means form, as before
/// modes existed).
pub fn elicits_form(capabilities: Option<&ClientCapabilities>) -> bool {
    capabilities
        .and_then(|capabilities| capabilities.elicitation.as_ref())
        .is_some_and(|elicitation| elicitation.form.is_some() || elicitation.url.is_none())
}

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
}

/// Whether the user was asked about a write that needed confirmation, as its result says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// Asked, and confirmed: sent.
    Confirmed,
    /// Asked, and not confirmed: not sent.
    Declined,
    /// Not asked (see [`crate::config::Unconfirmable`]): sent or refused by the operator's choice.
    NotAsked,
}

impl Asked {
    /// The line the result carries, for the model; `None` where the refusal says it, or
    /// [`sent_unasked`] does.
    pub fn note(self) -> Option<&'static str> {
        match self {
            Asked::Confirmed => Some("The user confirmed this write before it was sent."),
            Asked::NotAsked | Asked::Declined => None,
        }
    }

    /// The result's `_meta`, saying the same.
    pub fn meta(self) -> MetaObject {
        let value = match self {
            Asked::Confirmed => "confirmed",
            Asked::Declined => "declined",
            Asked::NotAsked => "not-asked",
        };
        let mut meta = Map::new();
        meta.insert(META_KEY.to_owned(), Value::from(value));
        MetaObject(meta)
    }
}

/// The line of a write sent without asking (`--unconfirmable send`).
pub fn sent_unasked(why: &str) -> String {
    format!(
        "The user was not asked to confirm this write: {why}. The operator lets such writes go unconfirmed (--unconfirmable send)."
    )
}

/// What the model reads when a write is refused because the user could not be asked
/// (`--unconfirmable refuse`).
pub fn unconfirmable(why: &str) -> String {
    format!(
        "Not sent: this write needs the user's confirmation and {why}. Nothing reached Intercom. \
         It can be sent from a client that supports form elicitation (it will ask the user), or \
         once the operator allows it (--unconfirmable send, or --confirm-writes never). Tell the \
         user; do not retry unless they ask you to."
    )
}

/// A refusal, for the model.
fn refused(why: &str) -> Decision {
    Decision::Refused(format!(
        "Not sent: {why}. Nothing reached Intercom. Do not retry unless the user asks you to."
    ))
}

/// The form the user answers: one box to tick.
fn form(question: String) -> Option<ElicitRequestParams> {
    let schema = ElicitationSchema::builder()
        .required_bool("send")
        .description("Tick to send, leave unticked to cancel.")
        .build()
        .ok()?;
    Some(ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: question,
        requested_schema: schema,
    })
}

/// What the user's answer decides: only an accept with `send: true` sends.
fn decide(result: &ElicitResult) -> Decision {
    match result.action {
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
    }
}

/// Asks the user mid-call through a client in a session that declared form elicitation
/// (before 2026-07-28).
pub async fn ask(peer: &Peer<RoleServer>, question: String) -> Decision {
    let Some(request) = form(question) else {
        return refused("the user could not be asked to confirm it");
    };
    match peer
        .create_elicitation_with_timeout(request, Some(ANSWER_WITHIN))
        .await
    {
        Ok(result) => decide(&result),
        Err(err) => {
            tracing::warn!("could not ask the user to confirm a write: {err}");
            refused("the user could not be asked to confirm it")
        }
    }
}
