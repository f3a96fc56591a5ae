//! Confirmation before a customer sees anything. A reply with `message_type: comment`, or a
//! close or assignment that carries a message, reaches the customer and cannot be taken back;
//! when the client supports form elicitation (MCP 2025-06-18 and later, client capability
//! `elicitation`), the user is asked to confirm the exact text before it is sent, and a
//! decline sends nothing. Clients without elicitation behave as before. `--confirm-writes`
//! (`INTERCOM_CONFIRM_WRITES`) chooses which writes ask: `never`, `customer-visible`
//! (default) or `all`. Reference: modelcontextprotocol.io/specification/2025-11-25/client/elicitation.

use std::time::Duration;

use rmcp::model::{ElicitRequestParams, ElicitationAction, ElicitationSchema};
use rmcp::service::ElicitationMode;
use rmcp::{Peer, RoleServer};
use serde_json::{Map, Value};

use crate::tools::{Effect, ToolDef};

/// Which writes ask the user first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Policy {
    Never,
    #[default]
    CustomerVisible,
    All,
}

/// How long the user has to answer before the write is given up (and not sent).
const ANSWER_WITHIN: Duration = Duration::from_secs(600);

/// The question for a write about to be sent with `args`, if `policy` asks for one.
pub fn question(def: &ToolDef, args: &Map<String, Value>, policy: Policy) -> Option<String> {
    if def.effect == Effect::Read || policy == Policy::Never {
        return None;
    }
    let text = |name: &str| args.get(name).and_then(Value::as_str);
    let conversation = text("conversation_id").unwrap_or("?");
    let to_customer = match def.name {
        "intercomReplyConversation" if text("message_type") == Some("comment") => text("body"),
        "intercomCloseConversation" | "intercomAssignConversation" => text("body"),
        _ => None,
    };
    match (to_customer, policy) {
        (Some(body), _) => Some(format!(
            "Send this message to the customer in conversation {conversation}? They will see \
             it and it cannot be taken back.\n\n{body}"
        )),
        (None, Policy::All) => Some(format!(
            "Allow {} with these arguments?\n\n{}",
            def.title,
            Value::Object(args.clone())
        )),
        (None, _) => None,
    }
}

/// What came of asking.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// Send it.
    Confirmed,
    /// Do not send it; the text says why, for the model.
    Refused(String),
    /// The client cannot be asked: go on as without confirmation.
    NotAsked,
}

/// Asks the user through the client, when it supports form elicitation.
pub async fn ask(peer: &Peer<RoleServer>, question: String) -> Answer {
    if !peer
        .supported_elicitation_modes()
        .contains(&ElicitationMode::Form)
    {
        return Answer::NotAsked;
    }
    let Ok(schema) = ElicitationSchema::builder()
        .required_bool("send")
        .description("Tick to send, leave unticked to cancel.")
        .build()
    else {
        return Answer::NotAsked;
    };
    let request = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: question,
        requested_schema: schema,
    };
    let refused = |why: &str| {
        Answer::Refused(format!(
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
                Answer::Confirmed
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
