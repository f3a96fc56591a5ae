//! What [`IntercomServer::call_in`] records about a write: the attempt as the audit trail tells
//! it (who acted, in which workspace, on which records, how it was confirmed) and, once it is
//! settled, its outcome, in the trail (when `--audit-log` is set) and in the metrics (always).

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Map, Value};

use super::IntercomServer;
use super::gate::Step;
use crate::audit::{self, Attempt, Confirmation, NotRecorded, Outcome, Report};
use crate::config::ConfirmWrites;
use crate::confirm::round;
use crate::credentials::RequestToken;
use crate::error::Hints;
use crate::tools::{Effect, ServerTool};
use crate::workspace::Context;

/// Who acted over stdio and through the `call` command: whoever runs the process.
const LOCAL: &str = "local";

/// A call once [`IntercomServer::decide`] has decided it, with what the trail needs.
pub(super) struct Decided<'a> {
    pub step: Step<'a>,
    pub confirmation: Option<Confirmation>,
    /// A write's arguments as the client sent them, when the trail is on.
    pub audited: Option<Map<String, Value>>,
    pub workspace: Option<&'a Context>,
    /// Over HTTP, the token the request acts with.
    pub token: Option<&'a RequestToken>,
}

/// One write attempt's facts that the trail needs besides its arguments.
pub(super) struct Facts<'a> {
    /// The call's trace id; `None`: a fresh one for this attempt.
    pub trace_id: Option<String>,
    /// The workspace, when the call got one.
    pub context: Option<&'a Context>,
    /// Over HTTP, the token the request acts with.
    pub token: Option<&'a RequestToken>,
    /// `None` when the call stopped before confirmation was decided.
    pub confirmation: Option<Confirmation>,
}

impl IntercomServer {
    /// Sends a decided call, or answers without sending; for a write, the intent line is
    /// written and flushed first (a write it cannot record is not sent: fail closed), and what
    /// came of it is settled after.
    pub(super) async fn carry_out(
        &self,
        tool: &ServerTool,
        decided: Decided<'_>,
        hints: &Hints<'_>,
        structured: bool,
    ) -> CallToolResult {
        let Decided {
            step,
            confirmation,
            audited,
            workspace,
            token,
        } = decided;
        // Boxed: only audited writes hold its future.
        let recorded = match &audited {
            None => Ok(None),
            Some(args) => {
                let facts = Facts {
                    // The call's W3C trace id (from `_meta` or `traceparent`, or its span's).
                    trace_id: crate::traces::trace_id(),
                    context: workspace,
                    token,
                    confirmation,
                };
                Box::pin(self.intend(tool, args, facts)).await.map(Some)
            }
        };
        let (result, report) = match (step, &recorded) {
            (Step::Send(..), Err(err)) => {
                tracing::error!(tool = tool.name(), "a write was not sent: {err}");
                let text = ContentBlock::text(audit::NOT_RECORDED);
                (
                    CallToolResult::error(vec![text]),
                    Report::only(Outcome::Withheld),
                )
            }
            (Step::Send(context, args, asked), Ok(_)) => {
                let (result, report) = tool.call(context, args, hints, structured).await;
                match asked {
                    Some(asked) => (asked.mark(result), report),
                    None => (result, report),
                }
            }
            (Step::Stop(result, outcome), _) => (result, Report::only(outcome)),
        };
        if tool.facts.effect != Effect::Read {
            self.settle(tool, recorded.ok().flatten().as_ref(), &report);
        }
        result
    }

    /// Writes the intent line of `tool`'s attempt with `args` and answers the attempt, for
    /// its outcome line. `Err`: the line could not be written, and the write must not be
    /// sent. An audit log that cannot be opened stops it before any request, GET /me
    /// included.
    pub(super) async fn intend(
        &self,
        tool: &ServerTool,
        args: &Map<String, Value>,
        facts: Facts<'_>,
    ) -> Result<Attempt, NotRecorded> {
        self.state.audit.ready()?;
        let attempt = self.attempt(tool, args, facts).await;
        self.state.audit.intent(&attempt)?;
        Ok(attempt)
    }

    /// The attempt as its lines tell it. The workspace's app id and default admin come from
    /// GET /me, once per workspace.
    async fn attempt(
        &self,
        tool: &ServerTool,
        args: &Map<String, Value>,
        facts: Facts<'_>,
    ) -> Attempt {
        let mut workspace = None;
        let mut admin_id = args.get("admin_id").and_then(audit::id_text);
        if let Some(context) = facts.context {
            workspace = context.workspace_id().await;
            if admin_id.is_none() {
                admin_id = context.default_admin().await.ok();
            }
        }
        let (actor, tenant) = actor(facts.token);
        Attempt {
            trace_id: facts.trace_id.unwrap_or_else(audit::trace_id),
            tool: tool.name(),
            workspace,
            actor,
            tenant,
            admin_id,
            ids: audit::ids(args),
            customer_visible: tool
                .write(args)
                .is_some_and(|write| write.to_customer.is_some()),
            confirmation: facts.confirmation,
            body: audit::body(args),
        }
    }

    /// How a write that asked nobody was confirmed: a dry run, the `never` policy, or not
    /// needed (no customer sees it).
    pub(super) fn unasked(&self, context: &Context) -> Confirmation {
        if context.dry_run {
            Confirmation::DryRun
        } else if self.state.confirm_writes == ConfirmWrites::Never {
            Confirmation::PolicyNever
        } else {
            Confirmation::NotRequired
        }
    }

    /// Records what came of a write: its outcome line (when its intent line was written) and
    /// the metrics' count.
    pub(super) fn settle(&self, tool: &ServerTool, attempt: Option<&Attempt>, report: &Report) {
        (self.state.metrics).write(tool.name(), report.outcome.name());
        if let Some(attempt) = attempt {
            self.state.audit.outcome(attempt, report);
        }
    }
}

/// Who acted: with OAuth the client our token was issued to, over HTTP otherwise the tenant,
/// over stdio [`LOCAL`]; and the tenant (a SHA-256 of the Intercom token, the digest
/// confirmations' request states are bound to), whenever there is one.
fn actor(token: Option<&RequestToken>) -> (String, Option<String>) {
    let Some(token) = token else {
        return (LOCAL.to_owned(), None);
    };
    let key = round::tenant(token.token.expose());
    let tenant = key.strip_prefix("intercom-mcp:").unwrap_or(&key).to_owned();
    match &token.client_id {
        Some(client) => (format!("oauth:{client}"), Some(tenant)),
        None => (tenant.clone(), Some(tenant)),
    }
}
