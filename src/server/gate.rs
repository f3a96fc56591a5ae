//! The confirmation gate of [`IntercomServer::call_in`]: which write needs the user's
//! confirmation (`--confirm-writes`), who can be asked and how (mid-call before 2026-07-28 in a
//! session; by an input-required answer at 2026-07-28, over stdio or HTTP; nobody otherwise),
//! what becomes of the write when nobody can be (`--unconfirmable`), and the line and `_meta`
//! every such result carries saying whether the user was asked; and so what
//! [`IntercomServer::call_in`] does with a call ([`Step`]).

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ContentBlock, InputRequiredResult,
    InputResponses, ProtocolVersion,
};
use rmcp::service::RequestContext;
use rmcp::{Peer, RoleServer};
use serde_json::{Map, Value};

use super::IntercomServer;
use super::trail::Decided;
use crate::audit::{Confirmation, Outcome};
use crate::config::Unconfirmable;
use crate::confirm::{self, Asked, Decision, round};
use crate::credentials::{Credentials, RequestToken};
use crate::error::Hints;
use crate::tools::{Effect, ServerTool};
use crate::workspace::Context;

/// Who is asked about a write that needs confirmation, and how.
pub(super) enum Ask<'a> {
    /// Nobody can be; the text says why, for the model.
    Nobody(&'static str),
    /// The client, mid-call (a session before 2026-07-28).
    Peer(&'a Peer<RoleServer>),
    /// By an input-required answer (2026-07-28); boxed, as it is rare.
    Round(Box<Retry>),
}

/// What a call at 2026-07-28 brings back from an earlier input-required answer.
pub(super) struct Retry {
    state: Option<String>,
    responses: Option<InputResponses>,
    /// Over HTTP, whose token the call acts with ([`round::tenant`]).
    tenant: Option<String>,
}

/// What comes of a write that needs confirmation.
pub(super) enum Gate {
    Send(Note),
    /// Not sent: why, for the model.
    Refuse(String, Note),
    /// Answered with the input it requires (2026-07-28).
    Ask(Box<InputRequiredResult>),
}

/// What [`IntercomServer::call_in`] does with a call once it is decided: send it in a
/// workspace (with the confirmation's note, when the user was asked), or answer at once
/// without sending.
pub(super) enum Step<'c> {
    Send(&'c Context, Map<String, Value>, Option<Note>),
    Stop(CallToolResult, Outcome),
}

/// What such a write's result says about asking.
pub(super) struct Note {
    asked: Asked,
    line: Option<String>,
}

impl Note {
    fn of(asked: Asked) -> Self {
        Self {
            asked,
            line: asked.note().map(str::to_owned),
        }
    }

    /// How the write was confirmed, as the audit trail names it.
    pub(super) fn confirmation(&self) -> Confirmation {
        match self.asked {
            Asked::Confirmed => Confirmation::Accepted,
            Asked::Declined => Confirmation::Declined,
            Asked::NotAsked => Confirmation::NotAsked,
        }
    }

    /// `result` with a line saying whether the user was asked, and the same in `_meta`.
    pub(super) fn mark(self, mut result: CallToolResult) -> CallToolResult {
        if let Some(line) = self.line {
            result.content.push(ContentBlock::text(line));
        }
        result.meta = Some(self.asked.meta());
        result
    }
}

/// Why a 2025 client over HTTP is not asked: rmcp's stateless HTTP has no session to carry a
/// request from server to client mid-call, and it refuses the client's answer to one.
const NO_SESSION: &str = "a client on MCP 2025 over HTTP cannot be asked mid-call (this server \
keeps no session between requests; a client on MCP 2026-07-28 can be asked)";
const NO_ELICITATION: &str = "this client declared no form elicitation, so it cannot ask the user";

impl IntercomServer {
    /// What to do with a call of `tool`: its arguments checked, then sent, refused or asked
    /// about; with what the audit trail needs of it (`token`: over HTTP, the one the request
    /// acts with). `Err` (2026-07-28): the input the call requires first.
    pub(super) async fn decide<'c>(
        &self,
        tool: &ServerTool,
        workspace: Result<&'c Context, &String>,
        args: Option<Map<String, Value>>,
        token: Option<&'c RequestToken>,
        ask: Ask<'_>,
        hints: &Hints<'_>,
    ) -> Result<Decided<'c>, Box<InputRequiredResult>> {
        // A write's arguments as the client sent them, for the trail's ids and digest.
        let audited = (tool.facts.effect != Effect::Read && self.state.audit.is_on())
            .then(|| args.clone().unwrap_or_default());
        let (step, confirmation) = self.step(tool, workspace, args, ask, hints).await?;
        Ok(Decided {
            step,
            confirmation,
            audited,
            workspace: workspace.ok(),
            token,
        })
    }

    /// The step, and how the write was confirmed (`None` when it stopped before that was
    /// decided).
    async fn step<'c>(
        &self,
        tool: &ServerTool,
        workspace: Result<&'c Context, &String>,
        args: Option<Map<String, Value>>,
        ask: Ask<'_>,
        hints: &Hints<'_>,
    ) -> Result<(Step<'c>, Option<Confirmation>), Box<InputRequiredResult>> {
        let failed = |text: String| CallToolResult::error(vec![ContentBlock::text(text)]);
        let (context, args) = match (workspace, tool.prepare(args)) {
            (Err(why), _) => return Ok((Step::Stop(failed(why.clone()), Outcome::Withheld), None)),
            (_, Err(error)) => {
                return Ok((
                    Step::Stop(failed(error.render(hints)), Outcome::Invalid),
                    None,
                ));
            }
            (Ok(context), Ok(args)) => (context, args),
        };
        let Some(question) = self.question(tool, &args, context) else {
            let confirmation = self.unasked(context);
            return Ok((Step::Send(context, args, None), Some(confirmation)));
        };
        // Boxed: confirming is rare, and its future held inline would enlarge every call's.
        match Box::pin(self.gate(tool, &args, question, ask)).await {
            Gate::Send(asked) => {
                let confirmation = asked.confirmation();
                Ok((Step::Send(context, args, Some(asked)), Some(confirmation)))
            }
            Gate::Refuse(why, asked) => {
                let confirmation = asked.confirmation();
                let outcome = match confirmation {
                    Confirmation::Declined => Outcome::Declined,
                    _ => Outcome::Withheld,
                };
                Ok((
                    Step::Stop(asked.mark(failed(why)), outcome),
                    Some(confirmation),
                ))
            }
            Gate::Ask(input) => Err(input),
        }
    }

    /// Who can be asked about `request`'s write, from the revision, the client's capabilities
    /// (per request at 2026-07-28) and the transport; takes the retry's fields from `request`.
    pub(super) fn who_asks<'a>(
        &self,
        context: &'a RequestContext<RoleServer>,
        capabilities: Option<&ClientCapabilities>,
        parts: Option<&http::request::Parts>,
        request: &mut CallToolRequestParams,
    ) -> Ask<'a> {
        let revision = context.protocol_version();
        let elicits = confirm::elicits_form(capabilities);
        if revision.is_some_and(|version| version >= ProtocolVersion::V_2026_07_28) {
            if !elicits {
                return Ask::Nobody(NO_ELICITATION);
            }
            let tenant = parts
                .and_then(|parts| parts.extensions.get::<RequestToken>())
                .map(|request| round::tenant(request.token.expose()));
            return Ask::Round(Box::new(Retry {
                state: request.request_state.take(),
                responses: request.input_responses.take(),
                tenant,
            }));
        }
        if !matches!(self.state.credentials, Credentials::Fixed { .. }) {
            return Ask::Nobody(NO_SESSION);
        }
        if !elicits {
            return Ask::Nobody(NO_ELICITATION);
        }
        Ask::Peer(&context.peer)
    }

    /// The question for `tool`'s write with `args`, when `--confirm-writes` asks one. A dry
    /// run sends nothing: nothing to confirm.
    pub(super) fn question(
        &self,
        tool: &ServerTool,
        args: &Map<String, Value>,
        context: &Context,
    ) -> Option<String> {
        let write = tool.write(args).filter(|_| !context.dry_run)?;
        confirm::question(&write, self.state.confirm_writes)
    }

    /// Asks, or reads the answer, or says why nobody can be asked.
    pub(super) async fn gate(
        &self,
        tool: &ServerTool,
        args: &Map<String, Value>,
        question: String,
        ask: Ask<'_>,
    ) -> Gate {
        let decided = |decision: Decision| match decision {
            Decision::Confirmed => Gate::Send(Note::of(Asked::Confirmed)),
            Decision::Refused(why) => Gate::Refuse(why, Note::of(Asked::Declined)),
        };
        match ask {
            Ask::Peer(peer) => {
                let _waiting = self.state.asking.begin();
                decided(confirm::ask(peer, question).await)
            }
            Ask::Round(retry) => {
                let call = round::Call {
                    tool: tool.name(),
                    args,
                    tenant: retry.tenant.as_deref(),
                };
                let now = self.state.clock.now();
                let rounds = &self.state.rounds;
                match retry.state {
                    Some(state) => decided(
                        rounds
                            .answer(&state, retry.responses.as_ref(), &call, now)
                            .await,
                    ),
                    None => match rounds.ask(question, &call, now) {
                        Some(input) => Gate::Ask(Box::new(input)),
                        None => Gate::Refuse(
                            confirm::unconfirmable("the user could not be asked"),
                            Note::of(Asked::NotAsked),
                        ),
                    },
                }
            }
            Ask::Nobody(why) => match self.state.unconfirmable {
                Unconfirmable::Send => Gate::Send(Note {
                    asked: Asked::NotAsked,
                    line: Some(confirm::sent_unasked(why)),
                }),
                Unconfirmable::Refuse => Gate::Refuse(
                    confirm::unconfirmable(why),
                    Note {
                        asked: Asked::NotAsked,
                        line: None,
                    },
                ),
            },
        }
    }
}
