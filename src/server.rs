//! The MCP side: server identity and instructions, `tools/list`, `tools/call` routing,
//! `resources/*`, and the token-update notification. Thin on purpose: the work happens in
//! [`crate::tools`] and [`crate::resources`]; `server/requests.rs` serves the two requests
//! that reach Intercom.

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult,
    ContentBlock, CustomNotification, GetPromptRequestParams, GetPromptResponse, Implementation,
    InitializeRequestParams, InitializeResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig, Tool as ToolInfo,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{ErrorData, Peer, RoleServer, ServerHandler};
use serde_json::{Map, Value};

use crate::admin::DefaultAdmin;
use crate::config::{Config, Region, Secret};
use crate::credentials::{Credentials, LazyContext, NO_REQUEST_TOKEN, Tenants, Workspace};
use crate::error::Hints;
use crate::intercom::{self, TokenCell};
use crate::policy::{Clock, SystemClock};
use crate::resources::{self, Offer};
use crate::tools::{self, Confirm, Context, Entry};

mod requests;

pub const TOKEN_UPDATE: &str = "notifications/token/update";

const INSTRUCTIONS: &str = "Tools for one Intercom workspace. Everything is addressed by \
Intercom's own ids (a contact's, conversation's or company's `id` field): find them with the \
search or list tools first, never guess them. Search takes one filter {field, operator, value} \
or an AND/OR group of filters; dates may be ISO 8601 or unix seconds. Results are lean: a field \
that is left out is null, empty, false or 0; times are ISO 8601 UTC; a conversation's messages \
form one `timeline`. Pages start with has_more: pass next_cursor back as starting_after \
(companies: next_page as page). Replies, closes, assignments and notes act as an admin; leave \
admin_id out to act as the token's owner. Writes to customers cannot be undone: when a write's \
outcome is unknown, read before retrying. An optional argument may be left out or given as \
null, except that in intercomUpdateContact a null name, phone or owner_id clears it.";

/// One tool call on its way to a tool.
struct ToolCall<'a> {
    name: &'a str,
    args: Option<Map<String, Value>>,
    /// The client to ask before a customer-visible write; `None` where none can be asked.
    peer: Option<&'a Peer<RoleServer>>,
    /// The answer also goes out as `structuredContent` (for an MCP Apps view to render).
    structured: bool,
}

/// The server's shared state; cloning is cheap (HTTP builds one handler per request).
#[derive(Clone)]
pub struct IntercomServer {
    state: Arc<State>,
}

struct State {
    tools: Vec<Entry>,
    credentials: Credentials,
    region: Option<Region>,
    /// The instructions, with this process's customer-text marker.
    instructions: String,
    confirm_writes: crate::confirm::Policy,
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
        let state = State {
            tools,
            credentials,
            region: config.region_in_use(),
            confirm_writes: config.confirm_writes,
            instructions: format!(
                "{INSTRUCTIONS} {}",
                crate::untrusted::explained(config.untrusted)
            ),
        };
        Ok(Self {
            state: Arc::new(state),
        })
    }

    pub fn tools(&self) -> impl Iterator<Item = &Entry> {
        self.state.tools.iter()
    }

    fn find(&self, name: &str) -> Option<&Entry> {
        self.state.tools.iter().find(|entry| entry.def.name == name)
    }

    /// Runs one tool by name with the server's own token; `None` when there is no such tool.
    pub async fn call(
        &self,
        name: &str,
        args: Option<Map<String, Value>>,
    ) -> Option<CallToolResult> {
        let call = ToolCall {
            name,
            args,
            peer: None,
            structured: false,
        };
        match &self.state.credentials {
            Credentials::Fixed { context, .. } => self.call_fixed(context, call).await,
            Credentials::PerRequest(_) => {
                self.find(name)?;
                Some(CallToolResult::error(vec![ContentBlock::text(
                    NO_REQUEST_TOKEN,
                )]))
            }
        }
    }

    async fn call_fixed(
        &self,
        context: &LazyContext,
        call: ToolCall<'_>,
    ) -> Option<CallToolResult> {
        self.find(call.name)?;
        match context.get() {
            Ok(context) => self.call_in(context, call).await,
            Err(err) => Some(CallToolResult::error(vec![ContentBlock::text(format!(
                "the server cannot make its HTTP client, so no call can reach Intercom: {err:#}"
            ))])),
        }
    }

    async fn call_in(&self, context: &Context, call: ToolCall<'_>) -> Option<CallToolResult> {
        let entry = self.find(call.name)?;
        let hints = Hints {
            region: self.state.region,
            scope: entry.def.scope,
            repeatable: entry.repeatable,
        };
        let started = Instant::now();
        let confirm = Confirm {
            policy: self.state.confirm_writes,
            peer: call.peer,
        };
        let result = entry
            .call(context, call.args, &hints, &confirm, call.structured)
            .await;
        tracing::info!(
            tool = call.name,
            is_error = result.is_error.unwrap_or(false),
            elapsed_ms = started.elapsed().as_millis(),
            "tool call"
        );
        Some(result)
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

impl ServerHandler for IntercomServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_completions()
            .enable_prompts()
            .build();
        let mut info = ServerConfig::new(capabilities).with_server_info(
            Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                .with_title("Intercom"),
        );
        info.instructions = Some(self.state.instructions.clone());
        info
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        context.peer.set_peer_info(request.clone());
        let mut result = self.negotiate_initialize(&request)?;
        Offer::of(Some(&request.capabilities)).announce(&mut result);
        Ok(result)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let offer = Offer::of(context.client_capabilities().as_ref());
        let tools: Vec<ToolInfo> = self
            .tools()
            .map(|entry| offer.tool(entry.info.clone()))
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let offer = Offer::of(context.client_capabilities().as_ref());
        Ok(ListResourcesResult::with_all_items(resources::list(offer)))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        // Boxed, as in call_tool: the future that reaches Intercom stays off rmcp's task.
        Box::pin(self.read(request, context)).await
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let templates = resources::records::listed(|tool| self.find(tool).is_some());
        Ok(ListResourceTemplatesResult::with_all_items(templates))
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        // Boxed, as in call_tool.
        Box::pin(async move {
            let workspace = self.workspace(&context)?;
            crate::completion::answer(&request.argument, &workspace, self.state.region).await
        })
        .await
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(crate::prompts::list()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        crate::prompts::get(&request.name, request.arguments.as_ref()).map(Into::into)
    }

    fn get_tool(&self, name: &str) -> Option<ToolInfo> {
        self.find(name).map(|entry| entry.info.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        request_context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // rmcp spawns a task per request whose future is as large as the largest handler's,
        // and moves it several times. With a call's whole path down to hyper held inline, a
        // third of a call's instructions went to those copies (docs/performance.md). Boxed,
        // the task holds a pointer.
        Box::pin(self.serve_call(request, request_context)).await
    }

    async fn on_custom_notification(
        &self,
        notification: CustomNotification,
        _context: NotificationContext<RoleServer>,
    ) {
        if notification.method == TOKEN_UPDATE {
            self.update_token(notification.params.as_ref());
        } else {
            tracing::debug!(method = notification.method, "ignored notification");
        }
    }
}
