//! The server: its shared state, and the one way every tool call goes through it — a
//! `tools/call` over stdio or HTTP, the `call` command, and a record template read all meet in
//! [`IntercomServer::call_in`], which decides whether a write is confirmed before the tool
//! sends it. `handler.rs` is the rmcp handler, which only routes MCP requests here and to
//! [`crate::resources`], [`crate::completion`] and [`crate::prompts`]; `build.rs` builds the
//! server for stdio or HTTP.

mod build;
mod gate;
mod handler;
mod trail;

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, InputRequiredResult,
    ReadResourceRequestParams, ReadResourceResult,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::config::{ConfirmWrites, Region, Secret, Unconfirmable};
use crate::confirm::{self, round::Rounds};
use crate::credentials::{Credentials, RequestToken, Workspace};
use crate::error::Hints;
use crate::logging::ClientLog;
use crate::metrics::{self, Metrics};
use crate::policy::Clock;
use crate::resources::{self, Offer, Route};
use crate::tools::ServerTool;
use crate::workspace::Context;

use gate::Ask;
pub use handler::TOKEN_UPDATE;

/// One tool call on its way through the server, from whichever path it came.
struct CallRequest<'a> {
    name: &'a str,
    args: Option<Map<String, Value>>,
    /// Who is asked about a write that needs confirmation, and how.
    ask: Ask<'a>,
    /// The answer also goes out as `structuredContent` (for an MCP Apps view to render).
    structured: bool,
    /// The MCP method the call answers, as the metrics label it.
    method: &'static str,
    /// Over HTTP, the token the request acts with (who acted, for the audit trail).
    token: Option<&'a RequestToken>,
}

/// The method of a tool call, and of a record read through its tool.
const TOOLS_CALL: &str = "tools/call";
const RESOURCES_READ: &str = "resources/read";

/// What one call answers: a final result, or (2026-07-28) the input it requires first.
pub enum Reply {
    Final(CallToolResult),
    /// Boxed: rare, and larger than a result.
    InputRequired(Box<InputRequiredResult>),
}

/// The server's shared state; cloning is cheap (HTTP builds one handler per request).
#[derive(Clone)]
pub struct IntercomServer {
    state: Arc<State>,
}

struct State {
    tools: Vec<ServerTool>,
    credentials: Credentials,
    region: Option<Region>,
    /// The instructions, with this process's customer-text marker.
    instructions: String,
    confirm_writes: ConfirmWrites,
    unconfirmable: Unconfirmable,
    /// The key and store of 2026-07-28 confirmations' request states.
    rounds: Rounds,
    /// "Now", for a request state's expiry.
    clock: Arc<dyn Clock>,
    /// Calls waiting for the user's answer, and calls running (see [`confirm::Gauge`]).
    asking: confirm::Gauge,
    running: confirm::Gauge,
    /// The level a stdio client set with `logging/setLevel` (none kept over HTTP).
    log: ClientLog,
    /// What `--metrics` serves; recorded in [`IntercomServer::call_in`].
    metrics: Metrics,
    /// The audit trail of writes (`--audit-log`); recorded in [`IntercomServer::call_in`].
    audit: Audit,
}

impl IntercomServer {
    /// How many calls are waiting for the user's answer; the stdio transport reads it.
    pub fn asking(&self) -> &confirm::Gauge {
        &self.state.asking
    }

    /// How many calls are running, including those whose request was cancelled (rmcp lets
    /// their handler finish and drops the answer); the stdio transport reads it.
    pub fn running(&self) -> &confirm::Gauge {
        &self.state.running
    }

    /// The metrics this server records; `--metrics` serves them.
    pub fn metrics(&self) -> &Metrics {
        &self.state.metrics
    }

    /// The audit trail this server writes (`--audit-log`).
    pub fn audit(&self) -> &Audit {
        &self.state.audit
    }

    /// The tools this server exposes.
    pub fn tools(&self) -> impl Iterator<Item = &ServerTool> {
        self.state.tools.iter()
    }

    fn find(&self, name: &str) -> Option<&ServerTool> {
        self.state.tools.iter().find(|tool| tool.name() == name)
    }

    /// Runs one tool by name with the server's own token (the `call` command); `None` when
    /// there is no such tool.
    pub async fn call(
        &self,
        name: &str,
        args: Option<Map<String, Value>>,
    ) -> Option<CallToolResult> {
        let call = CallRequest {
            name,
            args,
            ask: Ask::Nobody("the `call` command has nobody to ask"),
            structured: false,
            method: TOOLS_CALL,
            token: None,
        };
        let workspace = self.state.credentials.workspace(None);
        match self.call_in(workspace.as_deref(), call).await? {
            Reply::Final(result) => Some(result),
            // Only a client at 2026-07-28 is asked this way.
            Reply::InputRequired(_) => None,
        }
    }

    /// `tools/call`: the client's capabilities pick the answer's form, the credentials the
    /// workspace.
    async fn serve_call(
        &self,
        mut request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let parts = context.extensions.get::<http::request::Parts>();
        // In a block: the capabilities are not held across the call.
        let (structured, ask) = {
            // What the client declared, however it said it (`crate::declared`).
            let capabilities = crate::declared::capabilities(&context);
            let offer = Offer::of(capabilities.as_ref());
            let structured = self
                .find(&request.name)
                .is_some_and(|tool| offer.structured(tool));
            let ask = self.who_asks(&context, capabilities.as_ref(), parts, &mut request);
            (structured, ask)
        };
        let call = CallRequest {
            name: &request.name,
            args: request.arguments,
            ask,
            structured,
            method: TOOLS_CALL,
            token: parts.and_then(|parts| parts.extensions.get::<RequestToken>()),
        };
        let workspace = self.state.credentials.workspace(parts);
        match self.call_in(workspace.as_deref(), call).await {
            Some(Reply::Final(result)) => Ok(result.into()),
            Some(Reply::InputRequired(input)) => Ok((*input).into()),
            None => {
                let names: Vec<&str> = self.tools().map(ServerTool::name).collect();
                Err(ErrorData::invalid_params(
                    format!(
                        "unknown tool `{}`; the tools are: {}",
                        request.name,
                        names.join(", ")
                    ),
                    None,
                ))
            }
        }
    }

    /// The one way a call goes: the tool found, its arguments checked, a write confirmed where
    /// the policy asks (or refused where nobody can be asked and the operator says so), then
    /// sent in `workspace` (`Err`: why no call can reach Intercom), a write audited before and
    /// after (`gate.rs` decides, `trail.rs` records and sends). `None`: no such tool here.
    async fn call_in(
        &self,
        workspace: Result<&Context, &String>,
        call: CallRequest<'_>,
    ) -> Option<Reply> {
        let CallRequest {
            name,
            args,
            ask,
            structured,
            method,
            token,
        } = call;
        let started = Instant::now();
        let Some(tool) = self.find(name) else {
            // A name a client invented is not a label of its own (bounded series); the call is
            // answered with JSON-RPC's invalid params, whose code is its `error.type`.
            let invalid_params = rmcp::model::ErrorCode::INVALID_PARAMS.0.to_string();
            (self.state.metrics).operation(
                method,
                metrics::OTHER,
                invalid_params,
                started.elapsed(),
            );
            return None;
        };
        let _running = self.state.running.begin();
        let hints = Hints {
            region: self.state.region,
            scope: tool.facts.scope,
            repeatable: tool.repeatable(),
        };
        let decided = match self.decide(tool, workspace, args, token, ask, &hints).await {
            Ok(decided) => decided,
            Err(input) => {
                tracing::info!(tool = name, "tool call: asked the user to confirm");
                self.answered(method, tool.name(), started, None);
                return Some(Reply::InputRequired(input));
            }
        };
        let result = (self.carry_out(tool, decided, &hints, structured)).await;
        let is_error = result.is_error.unwrap_or(false);
        let error_type = if is_error { metrics::TOOL_ERROR } else { "" };
        (self.state.metrics).operation(method, tool.name(), error_type, started.elapsed());
        tracing::info!(
            tool = name,
            is_error,
            elapsed_ms = started.elapsed().as_millis(),
            "tool call"
        );
        Some(Reply::Final(result))
    }

    /// `resources/read`: a view at once, the directory from its cache, a record through its
    /// tool (the same way as any call, which records it for the metrics under the tool's name;
    /// any other read is recorded here).
    async fn read(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, ErrorData> {
        let uri = request.uri;
        let started = Instant::now();
        let mut through_tool = false;
        let result = async {
            match resources::route(&uri, Offer::of_request(&context))? {
                Route::Ready(result) => Ok(result),
                Route::Directory(kind) => {
                    let workspace = self.workspace(&context)?;
                    resources::directory::read(kind, &workspace, self.state.region).await
                }
                Route::Record { tool, args } => {
                    let workspace = self.workspace(&context)?;
                    let call = CallRequest {
                        name: tool,
                        args: Some(args),
                        ask: Ask::Nobody("a resource read has nobody to ask"),
                        structured: false,
                        method: RESOURCES_READ,
                        token: None,
                    };
                    through_tool = true;
                    // A record is read by a Get tool, which never asks.
                    let result = match self.call_in(Ok(&workspace), call).await {
                        Some(Reply::Final(result)) => Some(result),
                        Some(Reply::InputRequired(_)) | None => None,
                    };
                    resources::records::contents(&uri, tool, result)
                }
            }
        }
        .await;
        if !through_tool {
            self.answered(RESOURCES_READ, "", started, result.as_ref().err());
        }
        result
    }

    /// The workspace a resource read or completion acts on (see [`Credentials::workspace`]).
    fn workspace(&self, context: &RequestContext<RoleServer>) -> Result<Workspace<'_>, ErrorData> {
        let parts = context.extensions.get::<http::request::Parts>();
        (self.state.credentials)
            .workspace(parts)
            .map_err(|why| ErrorData::internal_error(why, None))
    }

    /// Applies a token update (`accessToken` or `token`, optional `timestamp`). A missing or
    /// unusable token, or one older than the current, is ignored with a warning that never
    /// repeats any part of what was sent.
    pub fn update_token(&self, params: Option<&Value>) {
        let field = |name: &str| params.and_then(|params| params.get(name));
        let token = ["accessToken", "token"]
            .into_iter()
            .find_map(|name| field(name).and_then(Value::as_str).and_then(Secret::parse));
        let timestamp = field("timestamp").and_then(|value| {
            value
                .as_i64()
                .or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
        });
        let Some(token) = token else {
            tracing::warn!("ignored a token update without a usable accessToken or token");
            return;
        };
        let Credentials::Fixed { token: current, .. } = &self.state.credentials else {
            tracing::warn!("ignored a token update: over HTTP each request brings its own token");
            return;
        };
        if current.set(token, timestamp) {
            tracing::info!("access token updated");
        } else {
            tracing::warn!("ignored a token update older than the token in use");
        }
    }
}
