//! The server: its shared state, and the one way every tool call goes through it — a
//! `tools/call` over stdio or HTTP, the `call` command, and a record template read all meet in
//! [`IntercomServer::call_in`], which decides whether a write is confirmed before the tool
//! sends it. `handler.rs` is the rmcp handler, which only routes MCP requests here and to
//! [`crate::resources`], [`crate::completion`] and [`crate::prompts`].

mod handler;

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResult,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, Peer, RoleServer};
use serde_json::{Map, Value};

use crate::config::{Config, ConfirmWrites, Region, Secret};
use crate::confirm::{self, Decision};
use crate::credentials::{Credentials, LazyContext, Tenants, Workspace};
use crate::error::Hints;
use crate::intercom::{self, TokenCell};
use crate::logging::ClientLog;
use crate::policy::{Clock, SystemClock};
use crate::resources::{self, Offer, Route};
use crate::tools::{self, ServerTool};
use crate::workspace::Context;
use crate::workspace::admin::DefaultAdmin;

pub use handler::TOKEN_UPDATE;

/// One tool call on its way through the server, from whichever path it came.
struct CallRequest<'a> {
    name: &'a str,
    args: Option<Map<String, Value>>,
    /// The client that sent the call, where there is one to ask mid-call.
    peer: Option<&'a Peer<RoleServer>>,
    /// The MCP revision the call came in, where known.
    revision: Option<ProtocolVersion>,
    /// The answer also goes out as `structuredContent` (for an MCP Apps view to render).
    structured: bool,
}

/// What one call answers. Today always a final result; a match on it is where each path
/// decides what to do with a call that first needs the user's input (2026-07-28 answers such a
/// call with the input it requires, not a result).
pub enum Reply {
    Final(CallToolResult),
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
    /// Calls waiting for the user's answer, and calls running (see [`confirm::Gauge`]).
    asking: confirm::Gauge,
    running: confirm::Gauge,
    /// The level a stdio client set with `logging/setLevel` (none kept over HTTP).
    log: ClientLog,
}

impl IntercomServer {
    /// One workspace, over stdio: the configured token, rotated by token updates.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// As [`IntercomServer::new`], with the clock the request policy waits on (tests record
    /// waits instead of sleeping).
    pub fn with_clock(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let token = TokenCell::new(config.token.clone());
        let context = LazyContext::new({
            let (config, token) = (config.clone(), token.clone());
            move || {
                let client = intercom::connect(&config, token.clone(), Arc::clone(&clock))?;
                let admin = Arc::new(DefaultAdmin::new(config.admin_id.clone(), token.clone()));
                Ok(Context::new(
                    client,
                    admin,
                    Arc::default(),
                    config.exposure.dry_run,
                    config.untrusted,
                ))
            }
        });
        Self::build(config, Credentials::Fixed { context, token })
    }

    /// Many workspaces, over HTTP: each request's own token (see [`crate::credentials`]).
    pub fn per_request(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        Self::build(
            config,
            Credentials::PerRequest(Tenants::new(config, clock)?),
        )
    }

    fn build(config: &Config, credentials: Credentials) -> anyhow::Result<Self> {
        let tools = tools::select(&config.exposure).map_err(anyhow::Error::msg)?;
        let log = match &credentials {
            Credentials::Fixed { .. } => ClientLog::session(),
            Credentials::PerRequest(_) => ClientLog::stateless(),
        };
        let state = State {
            log,
            tools,
            credentials,
            region: config.region_in_use(),
            confirm_writes: config.confirm_writes,
            asking: confirm::Gauge::default(),
            running: confirm::Gauge::default(),
            instructions: format!(
                "{} {}",
                handler::INSTRUCTIONS,
                crate::untrusted::explained(config.untrusted)
            ),
        };
        Ok(Self {
            state: Arc::new(state),
        })
    }

    /// How many calls are waiting for the user's answer; the stdio transport reads it.
    pub fn asking(&self) -> &confirm::Gauge {
        &self.state.asking
    }

    /// How many calls are running, including those whose request was cancelled (rmcp lets
    /// their handler finish and drops the answer); the stdio transport reads it.
    pub fn running(&self) -> &confirm::Gauge {
        &self.state.running
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
            peer: None,
            revision: None,
            structured: false,
        };
        let workspace = self.state.credentials.workspace(None);
        let reply = self.call_in(workspace.as_deref(), call).await?;
        match reply {
            Reply::Final(result) => Some(result),
        }
    }

    /// `tools/call`: the client's capabilities pick the answer's form, the credentials the
    /// workspace.
    async fn serve_call(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let offer = Offer::of_request(&context);
        let call = CallRequest {
            name: &request.name,
            args: request.arguments,
            peer: Some(&context.peer),
            revision: context.protocol_version(),
            structured: self
                .find(&request.name)
                .is_some_and(|tool| offer.structured(tool)),
        };
        let parts = context.extensions.get::<http::request::Parts>();
        let workspace = self.state.credentials.workspace(parts);
        match self.call_in(workspace.as_deref(), call).await {
            Some(Reply::Final(result)) => Ok(result),
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
    /// the policy asks and the client can be asked, then sent in `workspace` (`Err`: why no
    /// call can reach Intercom). `None` when this server exposes no such tool.
    async fn call_in(
        &self,
        workspace: Result<&Context, &String>,
        call: CallRequest<'_>,
    ) -> Option<Reply> {
        let CallRequest {
            name,
            args,
            peer,
            revision,
            structured,
        } = call;
        let tool = self.find(name)?;
        let _running = self.state.running.begin();
        let hints = Hints {
            region: self.state.region,
            scope: tool.facts.scope,
            repeatable: tool.repeatable(),
        };
        let started = Instant::now();
        let failed = |text: String| CallToolResult::error(vec![ContentBlock::text(text)]);
        let result = match (workspace, tool.prepare(args)) {
            (Err(why), _) => failed(why.clone()),
            (_, Err(error)) => failed(error.render(&hints)),
            (Ok(context), Ok(args)) => {
                let asker = peer.filter(|_| self.can_ask(revision.as_ref()));
                match self.confirmed(tool, &args, context, asker).await {
                    Err(refused) => failed(refused),
                    Ok(()) => tool.call(context, args, &hints, structured).await,
                }
            }
        };
        tracing::info!(
            tool = name,
            is_error = result.is_error.unwrap_or(false),
            elapsed_ms = started.elapsed().as_millis(),
            "tool call"
        );
        Some(Reply::Final(result))
    }

    /// Whether a client can be asked mid-call: only in a session (not over stateless HTTP)
    /// and before 2026-07-28, which forbids server-to-client requests (its way, an
    /// input-required answer, is not built yet).
    fn can_ask(&self, revision: Option<&ProtocolVersion>) -> bool {
        let in_session = matches!(self.state.credentials, Credentials::Fixed { .. });
        in_session && revision.is_none_or(|version| *version < ProtocolVersion::V_2026_07_28)
    }

    /// `Err` says why a write is not sent: `peer` was asked and the user did not confirm it.
    async fn confirmed(
        &self,
        tool: &ServerTool,
        args: &Map<String, Value>,
        context: &Context,
        peer: Option<&Peer<RoleServer>>,
    ) -> Result<(), String> {
        // A dry run sends nothing: nothing to confirm.
        let Some(write) = tool.write(args).filter(|_| !context.dry_run) else {
            return Ok(());
        };
        let Some(question) = confirm::question(&write, self.state.confirm_writes) else {
            return Ok(());
        };
        // Where the client cannot be asked, nobody is.
        let Some(peer) = peer else {
            return Ok(());
        };
        // Boxed: asking is rare, and its future held inline would enlarge every call's.
        let _waiting = self.state.asking.begin();
        match Box::pin(confirm::ask(peer, question)).await {
            Decision::Refused(why) => Err(why),
            Decision::Confirmed | Decision::NotAsked => Ok(()),
        }
    }

    /// `resources/read`: a view at once, the directory from its cache, a record through its
    /// tool (the same way as any call).
    async fn read(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, ErrorData> {
        let uri = request.uri;
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
                    peer: None,
                    revision: None,
                    structured: false,
                };
                let reply = self.call_in(Ok(&workspace), call).await;
                let result = reply.map(|Reply::Final(result)| result);
                resources::records::contents(&uri, tool, result)
            }
        }
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
