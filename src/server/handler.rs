//! The rmcp handler: server identity and instructions, and each MCP request routed: the tool
//! list, `tools/call` and `resources/read` to [`IntercomServer`]'s one way through, the lists
//! to [`crate::resources`], completions, prompts, `logging/setLevel` to [`crate::logging`],
//! and the token-update notification. Each request that may reach Intercom runs inside
//! [`crate::logging::ClientLog::observing`], so its waits and retries can be told to the client,
//! and every request answered here is one span ([`crate::traces::Incoming`]).

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CompleteRequestParams, CompleteResult,
    CustomNotification, CustomRequest, CustomResult, ErrorCode, GetPromptRequestParams,
    GetPromptResponse, Implementation, InitializeRequestParams, InitializeResult,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, Reference,
    ServerCapabilities, ServerConfig, Tool as ToolListing,
};
// rmcp marks logging deprecated: the 2026-07-28 revision drops it; the 2025 revisions have it.
#[allow(deprecated)]
use rmcp::model::SetLevelRequestParams;
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::IntercomServer;
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
        let traced = Incoming::new(&context, "initialize", None);
        context.peer.set_peer_info(request.clone());
        let answer = self.negotiate_initialize(&request).map(|mut result| {
            Offer::of(Some(&request.capabilities)).announce(&mut result);
            crate::logging::declare(&mut result);
            result
        });
        traced.answered(answer, rpc_error)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let traced = Incoming::new(&context, "tools/list", None);
        let offer = Offer::of_request(&context);
        let tools: Vec<ToolListing> = self.tools().map(|tool| offer.tool(tool)).collect();
        traced.answered(Ok(ListToolsResult::with_all_items(tools)), rpc_error)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let traced = Incoming::new(&context, "resources/list", None);
        let offer = Offer::of_request(&context);
        let listed = ListResourcesResult::with_all_items(resources::list(offer));
        traced.answered(Ok(listed), rpc_error)
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
        let traced = Incoming::new(&context, "resources/templates/list", None);
        let templates = resources::records::listed(|tool| self.find(tool).is_some());
        let listed = ListResourceTemplatesResult::with_all_items(templates);
        traced.answered(Ok(listed), rpc_error)
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        // Boxed, as in call_tool.
        let traced = Incoming::new(&context, "completion/complete", None);
        let complete = async {
            known_reference(&request.r#ref)?;
            let workspace = self.workspace(&context)?;
            crate::completion::answer(&request.argument, &workspace, self.state.region).await
        };
        let complete = Box::pin(self.state.log.observing(&context.peer, complete));
        traced.serve(complete, rpc_error).await
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let traced = Incoming::new(&context, "prompts/list", None);
        let listed = ListPromptsResult::with_all_items(crate::prompts::list());
        traced.answered(Ok(listed), rpc_error)
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let traced = Incoming::new(&context, "prompts/get", None);
        let answer = crate::prompts::get(&request.name, request.arguments.as_ref()).map(Into::into);
        traced.answered(answer, rpc_error)
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
        self.state.log.set_level(request.level, revision.as_ref())
    }

    /// rmcp hands over a request whose method it does not know, or whose params do not fit
    /// its method's type (then the method may still be ours: `logging/setLevel`).
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        let revision = context.protocol_version();
        Err(
            crate::logging::unreadable(&request.method, revision.as_ref()).unwrap_or_else(|| {
                ErrorData::new(ErrorCode::METHOD_NOT_FOUND, request.method, None)
            }),
        )
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

/// `error.type` of a tool call: the JSON-RPC code of an error answer, `tool_error` for a
/// result with `isError`.
fn tool_failed(
    answer: &Result<CallToolResponse, ErrorData>,
) -> Option<std::borrow::Cow<'static, str>> {
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
