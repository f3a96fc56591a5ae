//! The rmcp handler: server identity and instructions, and each MCP request routed: the tool
//! list, `tools/call` and `resources/read` to [`IntercomServer`]'s one way through, the lists
//! to [`crate::resources`], completions, prompts, `logging/setLevel` to [`crate::logging`],
//! and the token-update notification. Each request that may reach Intercom runs inside
//! [`crate::logging::ClientLog::observing`], so its waits and retries can be told to the client.
//! Each request is one span ([`crate::traces::Incoming`]) and is timed for the metrics by
//! [`IntercomServer::measured`], except that a request that goes through a tool is timed by
//! `call_in`, with the tool's name.

use std::borrow::Cow;
use std::future::Future;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CompleteRequestMethod, CompleteRequestParams,
    CompleteResult, ConstString, CustomNotification, CustomRequest, CustomResult, ErrorCode,
    GetPromptRequestMethod, GetPromptRequestParams, GetPromptResponse, Implementation,
    InitializeRequestParams, InitializeResult, InitializeResultMethod, ListPromptsRequestMethod,
    ListPromptsResult, ListResourceTemplatesRequestMethod, ListResourceTemplatesResult,
    ListResourcesRequestMethod, ListResourcesResult, ListToolsRequestMethod, ListToolsResult,
    PaginatedRequestParams, PingRequestMethod, ReadResourceRequestParams, ReadResourceResponse,
    Reference, ServerCapabilities, ServerConfig, Tool as ToolListing,
};
// rmcp marks logging deprecated: the 2026-07-28 revision drops it; the 2025 revisions have it.
#[allow(deprecated)]
use rmcp::model::{SetLevelRequestMethod, SetLevelRequestParams};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::IntercomServer;
use crate::metrics;
use crate::resources::{self, Offer};
use crate::traces::{Incoming, rpc_error};

pub const TOKEN_UPDATE: &str = "notifications/token/update";

pub(super) const INSTRUCTIONS: &str = "Tools for one Intercom workspace. Everything is addressed by \
Intercom's own ids (a contact's, conversation's or company's `id` field): find them with the \
search or list tools first, never guess them. Search takes one filter {field, operator, value} \
or an AND/OR group of filters; dates may be ISO 8601 or unix seconds. Results are lean: a field \
that is left out is null, empty, false or 0; times are ISO 8601 UTC; a conversation's messages \
form one `timeline`. Pages start with has_more: pass next_cursor back as starting_after \
(companies: next_page as page). Replies, closes, assignments and notes act as an admin; leave \
admin_id out to act as the token's owner. Writes to customers cannot be undone: when a write's \
outcome is unknown, read before retrying. An optional argument may be left out or given as \
null, except where a tool's description says a null clears a field.";

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
        self.measured(&context, InitializeResultMethod::VALUE, async {
            context.peer.set_peer_info(request.clone());
            let mut result = self.negotiate_initialize(&request)?;
            Offer::of(Some(&request.capabilities)).announce(&mut result);
            crate::logging::declare(&mut result);
            Ok(result)
        })
        .await
    }

    async fn ping(&self, context: RequestContext<RoleServer>) -> Result<(), ErrorData> {
        self.measured(&context, PingRequestMethod::VALUE, async { Ok(()) })
            .await
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.measured(&context, ListToolsRequestMethod::VALUE, async {
            let offer = Offer::of_request(&context);
            let tools: Vec<ToolListing> = self.tools().map(|tool| offer.tool(tool)).collect();
            Ok(ListToolsResult::with_all_items(tools))
        })
        .await
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.measured(&context, ListResourcesRequestMethod::VALUE, async {
            let offer = Offer::of_request(&context);
            Ok(ListResourcesResult::with_all_items(resources::list(offer)))
        })
        .await
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        // Boxed, as in call_tool: the future that reaches Intercom stays off rmcp's task.
        let peer = context.peer.clone();
        let traced = Incoming::new(&context, "resources/read", None);
        let read = self.read(request, context);
        let read = Box::pin(self.state.log.observing(&peer, read));
        traced.serve(read, rpc_error).await.map(Into::into)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        self.measured(&context, ListResourceTemplatesRequestMethod::VALUE, async {
            let templates = resources::records::listed(|tool| self.find(tool).is_some());
            Ok(ListResourceTemplatesResult::with_all_items(templates))
        })
        .await
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        // Boxed, as in call_tool.
        let complete = async {
            known_reference(&request.r#ref)?;
            let workspace = self.workspace(&context)?;
            crate::completion::answer(&request.argument, &workspace, self.state.region).await
        };
        let observed = self.state.log.observing(&context.peer, complete);
        Box::pin(self.measured(&context, CompleteRequestMethod::VALUE, observed)).await
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        self.measured(&context, ListPromptsRequestMethod::VALUE, async {
            Ok(ListPromptsResult::with_all_items(crate::prompts::list()))
        })
        .await
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        self.measured(&context, GetPromptRequestMethod::VALUE, async {
            crate::prompts::get(&request.name, request.arguments.as_ref()).map(Into::into)
        })
        .await
    }

    fn get_tool(&self, name: &str) -> Option<ToolListing> {
        self.find(name).map(|tool| tool.listing.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        request_context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // rmcp spawns a task per request whose future is as large as the largest handler's,
        // and moves it several times. With a call's whole path down to hyper held inline, a
        // third of a call's instructions went to those copies (docs/performance.md). Boxed,
        // the task holds a pointer. Boxed before the span wraps it: moved into the span's
        // future, the call's would be copied twice more (+12,000 instructions a call).
        let peer = request_context.peer.clone();
        let tool = self.find(&request.name).map(|tool| tool.name());
        let traced = Incoming::new(&request_context, "tools/call", tool);
        let call = self.serve_call(request, request_context);
        let call = Box::pin(self.state.log.observing(&peer, call));
        traced.serve(call, tool_failed).await
    }

    #[allow(deprecated)] // As at the import.
    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let revision = context.protocol_version();
        self.measured(&context, SetLevelRequestMethod::VALUE, async {
            self.state.log.set_level(request.level, revision.as_ref())
        })
        .await
    }

    /// rmcp hands over a request whose method it does not know, or whose params do not fit
    /// its method's type (then the method may still be ours: `logging/setLevel`).
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        let revision = context.protocol_version();
        // Any other name is one a client invented: not a label of its own.
        let method = if request.method == SetLevelRequestMethod::VALUE {
            SetLevelRequestMethod::VALUE
        } else {
            metrics::OTHER
        };
        self.measured(&context, method, async {
            Err(
                crate::logging::unreadable(&request.method, revision.as_ref()).unwrap_or_else(
                    || ErrorData::new(ErrorCode::METHOD_NOT_FOUND, request.method, None),
                ),
            )
        })
        .await
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

impl IntercomServer {
    /// Runs one MCP request's `work` in its span and records it under `method` (no tool),
    /// with its JSON-RPC error code as the error type when it fails.
    pub(super) async fn measured<T>(
        &self,
        context: &RequestContext<RoleServer>,
        method: &'static str,
        work: impl Future<Output = Result<T, ErrorData>>,
    ) -> Result<T, ErrorData> {
        let started = Instant::now();
        let traced = Incoming::new(context, method, None);
        let result = traced.serve(work, rpc_error).await;
        self.answered(method, "", started, result.as_ref().err());
        result
    }

    /// Records one MCP request that took since `started`, answered with `error` or not.
    pub(super) fn answered(
        &self,
        method: &'static str,
        tool: &'static str,
        started: Instant,
        error: Option<&ErrorData>,
    ) {
        let error_type: Cow<'static, str> = match error {
            None => Cow::Borrowed(""),
            Some(error) => Cow::Owned(error.code.0.to_string()),
        };
        (self.state.metrics).operation(method, tool, error_type, started.elapsed());
    }
}

/// `error.type` of a tool call: the JSON-RPC code of an error answer, `tool_error` for a
/// result with `isError`.
fn tool_failed(answer: &Result<CallToolResponse, ErrorData>) -> Option<Cow<'static, str>> {
    match answer {
        Ok(CallToolResponse::Complete(result)) if result.is_error == Some(true) => {
            Some(crate::traces::TOOL_ERROR.into())
        }
        answer => rpc_error(answer),
    }
}

/// A completion is only for our own prompts and resource templates: anything else is invalid
/// params naming what there is, rather than ids offered for a prompt that does not exist.
fn known_reference(reference: &Reference) -> Result<(), ErrorData> {
    match reference {
        Reference::Prompt(prompt) if crate::prompts::names().all(|name| name != prompt.name) => {
            let names: Vec<&str> = crate::prompts::names().collect();
            Err(ErrorData::invalid_params(
                format!(
                    "no prompt `{}` to complete for; the prompts are: {}",
                    prompt.name,
                    names.join(", ")
                ),
                None,
            ))
        }
        Reference::Resource(template)
            if resources::records::uri_templates().all(|uri| uri != template.uri) =>
        {
            let templates: Vec<&str> = resources::records::uri_templates().collect();
            Err(ErrorData::invalid_params(
                format!(
                    "no resource template `{}` to complete for; the templates are: {}",
                    template.uri,
                    templates.join(", ")
                ),
                None,
            ))
        }
        _ => Ok(()),
    }
}
