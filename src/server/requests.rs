//! The two requests that reach Intercom, served behind the boxes `server.rs` puts them in:
//! `tools/call` and `resources/read`.

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResponse,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};

use super::{IntercomServer, ToolCall};
use crate::credentials::Credentials;
use crate::resources::{self, Offer, Route};

impl IntercomServer {
    /// `tools/call`: the client's capabilities pick the answer's form, the credentials the
    /// workspace, and the client is asked mid-call only where it can be.
    pub(super) async fn serve_call(
        &self,
        request: CallToolRequestParams,
        request_context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let structured =
            Offer::of(request_context.client_capabilities().as_ref()).structured(&request.name);
        let call = ToolCall {
            name: &request.name,
            args: request.arguments,
            peer: Some(&request_context.peer),
            structured,
        };
        // The client can be asked mid-call only in a session (not over stateless HTTP) and
        // before 2026-07-28, which forbids server-to-client requests (its way, an
        // InputRequiredResult, is not built yet): elsewhere nobody is asked.
        let in_session = matches!(self.state.credentials, Credentials::Fixed { .. });
        let before_2026 = request_context
            .protocol_version()
            .is_none_or(|version| version < ProtocolVersion::V_2026_07_28);
        let call = ToolCall {
            peer: call.peer.filter(|_| in_session && before_2026),
            ..call
        };
        let parts = request_context.extensions.get::<http::request::Parts>();
        let outcome = match self.state.credentials.workspace(parts) {
            Ok(workspace) => self.call_in(&workspace, call).await,
            Err(why) => self
                .find(&request.name)
                .map(|_| CallToolResult::error(vec![ContentBlock::text(why)])),
        };
        match outcome {
            Some(result) => Ok(result.into()),
            None => {
                let names: Vec<&str> = self.tools().map(|entry| entry.def.name).collect();
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

    /// `resources/read`: a view at once, the directory from its cache, a record through its tool.
    pub(super) async fn read(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        match resources::route(&uri)? {
            Route::Ready(result) => Ok(result.into()),
            Route::Directory(kind) => {
                let workspace = self.workspace(&context)?;
                resources::read_directory(kind, &workspace, self.state.region)
                    .await
                    .map(Into::into)
            }
            Route::Record { tool, args } => {
                let workspace = self.workspace(&context)?;
                let call = ToolCall {
                    name: tool,
                    args: Some(args),
                    peer: None,
                    structured: false,
                };
                let result = self.call_in(&workspace, call).await;
                resources::records::contents(&uri, tool, result).map(Into::into)
            }
        }
    }
}
