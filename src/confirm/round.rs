//! Asking at MCP 2026-07-28, which has no requests from server to client mid-call: the call is
//! answered with an input-required result carrying the form (the exact text the customer will
//! see) and a sealed `requestState`; the client asks the user and calls again with
//! `inputResponses` and the state echoed back
//! (https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/mrtr). The client
//! echoes the state verbatim but may not be trusted to, so the state is sealed
//! ([`crate::state::seal`], kind `RequestState`) and binds the tool, a digest of the exact
//! arguments (as checked), the tenant over HTTP, an expiry and a random id used once
//! ([`crate::state::store`]): the retry sends exactly what the user saw, once, or nothing.
//!
//! Our sealer, not rmcp's `request-state` codec: ours already exists, rotates keys, binds each
//! blob to its kind, and is the key every replica shares for OAuth; one key and one sealer.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rmcp::model::{ElicitRequest, ElicitResult, InputRequest, InputRequiredResult, InputResponses};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ANSWER_WITHIN, Decision, decide, form};
use crate::state::seal::{Keys, Kind, Sealer};
use crate::state::store::{self, Store};

/// The key of our one input request; the answer comes back under it.
pub const INPUT_KEY: &str = "confirm";

/// The audience request states are sealed for: tools/call of this server.
const AUDIENCE: &str = "intercom-mcp/tools/call";

/// The write a state is about, as the call names it.
pub struct Call<'a> {
    pub tool: &'a str,
    /// The arguments as checked (what would be sent).
    pub args: &'a Map<String, Value>,
    /// Over HTTP, whose token the call acts with ([`tenant`]); `None` over stdio.
    pub tenant: Option<&'a str>,
}

/// What a request state holds (sealed: the client sees none of it).
#[derive(Serialize, Deserialize)]
struct Pending {
    tool: String,
    args: String,
    tenant: Option<String>,
    /// Unix seconds after which the state no longer opens.
    until: u64,
    id: String,
}

/// The key and the store request states are sealed with and used once in.
pub struct Rounds {
    sealer: Sealer,
    store: Box<dyn Store>,
    within: Duration,
}

impl Rounds {
    /// Sealed with `keys` (see [`crate::state::seal::shared_keys`]), used once in `store`.
    pub fn new(keys: &Keys, store: Box<dyn Store>) -> Result<Self, String> {
        Ok(Self {
            sealer: keys.sealer(AUDIENCE)?,
            store,
            within: ANSWER_WITHIN,
        })
    }

    /// A random key and an in-process store: one process (stdio, tests).
    pub fn in_process() -> Result<Self, String> {
        let keys = crate::state::seal::shared_keys(|_| None)?;
        Self::new(&keys, store::from_url(None)?)
    }

    /// The answer that asks `question` about `call`; `None` when no state can be sealed.
    pub fn ask(
        &self,
        question: String,
        call: &Call<'_>,
        now: SystemTime,
    ) -> Option<InputRequiredResult> {
        let pending = Pending {
            tool: call.tool.to_owned(),
            args: digest(call.args),
            tenant: call.tenant.map(str::to_owned),
            until: seconds(now) + self.within.as_secs(),
            id: self.sealer.random_id().ok()?,
        };
        let state = self.sealer.seal(Kind::RequestState, &pending).ok()?;
        let request = InputRequest::Elicitation(ElicitRequest::new(form(question)?));
        let requests = [(INPUT_KEY.to_owned(), request)].into_iter().collect();
        Some(InputRequiredResult::new(Some(requests), Some(state)))
    }

    /// What the retry of `call` carrying `state` and `responses` decides: sent only when the
    /// state is ours, unexpired, about exactly this call, unused, and the user accepted.
    pub async fn answer(
        &self,
        state: &str,
        responses: Option<&InputResponses>,
        call: &Call<'_>,
        now: SystemTime,
    ) -> Decision {
        let Some(pending) = self.sealer.open::<Pending>(Kind::RequestState, state) else {
            tracing::info!(
                tool = call.tool,
                "refused a request state that does not open"
            );
            return afresh(
                "its requestState is not one this server issued (it was altered, or sealed with another key)",
            );
        };
        let now = seconds(now);
        if now > pending.until {
            return afresh("the user's confirmation expired (it is good for 10 minutes)");
        }
        if pending.tool != call.tool
            || pending.args != digest(call.args)
            || pending.tenant.as_deref() != call.tenant
        {
            tracing::info!(tool = call.tool, "refused a request state for another call");
            return afresh(
                "the call differs from the one the user confirmed; only exactly what they saw is sent",
            );
        }
        let life = Duration::from_secs(pending.until.saturating_sub(now) + 1);
        match self
            .store
            .once(&store::key("request-state", &pending.id), "1", life)
            .await
        {
            Err(_) => return afresh("the store of used confirmations is unreachable"),
            Ok(Some(_)) => return afresh("this confirmation was already used"),
            Ok(None) => {}
        }
        let answer = responses
            .and_then(|responses| responses.get(INPUT_KEY))
            .and_then(|answer| serde_json::from_value::<ElicitResult>(answer.clone()).ok());
        match answer {
            Some(answer) => decide(&answer),
            None => afresh("the user's answer was missing from inputResponses"),
        }
    }
}

/// A refusal of a state that cannot be acted on: the model may ask the user again.
fn afresh(why: &str) -> Decision {
    Decision::Refused(format!(
        "Not sent: {why}. Nothing reached Intercom. To ask the user again, call the tool afresh \
         (without requestState)."
    ))
}

/// Who a call over HTTP acts for, as a state binds it: a digest of the Intercom token, so a
/// state issued to one tenant does not open for another.
pub fn tenant(token: &str) -> String {
    store::key("tenant", token)
}

fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// A digest of `args` that does not depend on their order (the client's retry may order them
/// otherwise): keys sorted at every depth.
fn digest(args: &Map<String, Value>) -> String {
    fn canonical(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (at, key) in keys.into_iter().enumerate() {
                    if at > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::from(key.as_str()).to_string());
                    out.push(':');
                    if let Some(value) = map.get(key) {
                        canonical(value, out);
                    }
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (at, item) in items.iter().enumerate() {
                    if at > 0 {
                        out.push(',');
                    }
                    canonical(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = String::new();
    canonical(&Value::Object(args.clone()), &mut text);
    store::key("args", &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ElicitationAction;
    use serde_json::json;

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn accept() -> InputResponses {
        let answer =
            ElicitResult::new(ElicitationAction::Accept).with_content(json!({"send": true}));
        [(
            INPUT_KEY.to_owned(),
            serde_json::to_value(answer).unwrap_or_default(),
        )]
        .into_iter()
        .collect()
    }

    fn state_of(result: &InputRequiredResult) -> String {
        result.request_state.clone().unwrap_or_default()
    }

    #[tokio::test]
    async fn a_state_opens_once_for_exactly_its_call_until_it_expires() {
        let rounds = Rounds::in_process().unwrap();
        let sent = args(json!({"a": 1, "b": {"c": [1, 2], "d": "x"}}));
        let reordered = args(json!({"b": {"d": "x", "c": [1, 2]}, "a": 1}));
        let call = |args| Call {
            tool: "reply",
            args,
            tenant: Some("t1"),
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let asked = rounds.ask("Send?".to_owned(), &call(&sent), now).unwrap();
        let state = state_of(&asked);
        let responses = accept();
        let refused = |decision: Decision, what: &str| match decision {
            Decision::Refused(text) => assert!(text.contains(what), "{text}"),
            Decision::Confirmed => panic!("confirmed; expected {what}"),
        };
        // Another tenant, other arguments, another tool, too late: refused, and not used up.
        let other_tenant = Call {
            tenant: Some("t2"),
            ..call(&sent)
        };
        refused(
            rounds
                .answer(&state, Some(&responses), &other_tenant, now)
                .await,
            "differs",
        );
        let changed = args(json!({"a": 2, "b": {"c": [1, 2], "d": "x"}}));
        refused(
            rounds
                .answer(&state, Some(&responses), &call(&changed), now)
                .await,
            "differs",
        );
        let other_tool = Call {
            tool: "close",
            ..call(&sent)
        };
        refused(
            rounds
                .answer(&state, Some(&responses), &other_tool, now)
                .await,
            "differs",
        );
        let late = now + ANSWER_WITHIN + Duration::from_secs(2);
        refused(
            rounds
                .answer(&state, Some(&responses), &call(&sent), late)
                .await,
            "expired",
        );
        // The same call, its arguments in another order: once.
        assert_eq!(
            rounds
                .answer(&state, Some(&responses), &call(&reordered), now)
                .await,
            Decision::Confirmed
        );
        refused(
            rounds
                .answer(&state, Some(&responses), &call(&sent), now)
                .await,
            "already used",
        );
        // Altered, or sealed by another process's key.
        let mut altered = state.clone().into_bytes();
        if let Some(byte) = altered.get_mut(30) {
            *byte = if *byte == b'A' { b'B' } else { b'A' };
        }
        let altered = String::from_utf8(altered).unwrap();
        refused(
            rounds
                .answer(&altered, Some(&responses), &call(&sent), now)
                .await,
            "not one this server issued",
        );
        let elsewhere = Rounds::in_process().unwrap();
        let theirs = state_of(
            &elsewhere
                .ask("Send?".to_owned(), &call(&sent), now)
                .unwrap(),
        );
        refused(
            rounds
                .answer(&theirs, Some(&responses), &call(&sent), now)
                .await,
            "not one this server issued",
        );
        // No answer: refused (and the state is spent).
        let fresh = state_of(&rounds.ask("Send?".to_owned(), &call(&sent), now).unwrap());
        refused(
            rounds.answer(&fresh, None, &call(&sent), now).await,
            "missing",
        );
    }

    #[test]
    fn the_form_carries_the_question_under_our_key() {
        let rounds = Rounds::in_process().unwrap();
        let sent = args(json!({"body": "Hello"}));
        let call = Call {
            tool: "reply",
            args: &sent,
            tenant: None,
        };
        let asked = rounds
            .ask("Send Hello?".to_owned(), &call, SystemTime::now())
            .unwrap();
        let wire = serde_json::to_value(&asked).unwrap();
        assert_eq!(wire["resultType"], "input_required");
        let request = &wire["inputRequests"][INPUT_KEY];
        assert_eq!(request["method"], "elicitation/create");
        assert_eq!(request["params"]["message"], "Send Hello?");
        assert_eq!(
            request["params"]["requestedSchema"]["required"],
            json!(["send"])
        );
        assert!(!wire["requestState"].as_str().unwrap().contains("Hello"));
    }
}
