//! intercom-mcp: an MCP server for Intercom (REST API v2.11).
//!
//! How a call flows, and where each part lives (`docs/architecture.md` has the layers and the
//! path of one call in full):
//! - [`config`]: environment and flags → [`config::Config`] (token, region, timeouts, the
//!   settings' choices). The bottom floor: `layers.rs` checks that every arrow points down.
//! - [`http`]: MCP over Streamable HTTP (stateless, per-request credentials).
//! - [`auth`]: OAuth 2.1 for HTTP (`--oauth`): metadata, registration, authorization through
//!   Intercom's OAuth, and sealed tokens any replica can check.
//! - [`credentials`]: where a call's token comes from: the server's, or each HTTP request's.
//! - [`transport`]: stdio framing in front of rmcp: parse errors answered, sizes bounded,
//!   calls in flight drained on EOF or a signal.
//! - [`server`]: the one way every call goes through the server ([`server::IntercomServer`]'s
//!   `call_in`: confirmation, then the tool), and the rmcp handler that routes MCP requests.
//! - [`resources`]: what `resources/list` and `resources/read` serve: the workspace directory
//!   (admins, teams, tags, me), the contact and conversation templates, and the MCP Apps views
//!   and when a client gets them (tools' `_meta.ui`, `structuredContent`).
//! - [`completion`]: `completion/complete` for admin, assignee and tag ids, from the directory.
//! - [`logging`]: MCP logging: `logging/setLevel`, and rate-limit waits and retries told to a
//!   stdio client as `notifications/message`.
//! - [`prompts`]: our prompts (`prompts/list`, `prompts/get`).
//! - [`tools`]: the allowlist of 16 tools, each one value with all its facts; each validates
//!   its arguments against the schema the model saw, deserializes them into the generated
//!   request types, and calls the client.
//! - [`workspace`]: one workspace's state: its clients, the admin a write acts as when the call
//!   names none, and its cached directory.
//! - [`response`]: a generated client's response → the JSON body, or the error the model reads.
//! - [`intercom`]: the client generated from `openapi/intercom-2.11.json` by build.rs, and the
//!   hooks every request passes through (auth, headers, logging).
//! - [`policy`]: around each request: in-flight cap, rate-limit holds and waits, retries of
//!   repeatable operations, body size cap.
//! - [`redact`]: the token cut out of every non-2xx answer before anything reads it.
//! - [`confirm`]: the user asked (elicitation mid-call, or at 2026-07-28 an input-required
//!   answer with a sealed request state) before a write a customer will see; the tool says
//!   which writes those are.
//! - [`untrusted`]: customer-written text marked as data: invisible characters removed,
//!   authors' roles, fences (or lockdown).
//! - [`output`]: Intercom's JSON → the lean text the model reads (rules in its docs); the one
//!   HTML reader.
//! - [`declared`]: what an MCP client declared (revision, capabilities), from a request's
//!   `_meta`, a stdio `initialize`, or an HTTP client's sealed session id.
//! - [`state`]: sealed blobs any replica opens, and what is used once (in process or Redis):
//!   OAuth's codes and tokens, and confirmations' request states.
//! - [`audit`]: the audit trail of writes (`--audit-log`): an intent line before each write is
//!   sent, an outcome line after; body digests, never bodies or tokens.
//! - [`metrics`]: Prometheus metrics the server records, served at `/metrics` (`--metrics`).
//! - [`traces`]: a span per MCP request and per Intercom request, exported over OTLP/HTTP
//!   when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; the current request's trace id.
//! - [`time`]: unix seconds → ISO 8601, for answers and rate-limit messages.
//! - [`error`]: every failure → the text the model reads, with a hint on what to do.
//! - [`operations`]: the Intercom operations the server uses, shared with xtask.
//! - [`doctor`]: `intercom-mcp doctor`: checks the configuration, the token and its region.
//! - [`sandbox`]: `--sandbox`: a sample Intercom workspace served on loopback.

pub mod audit;
pub mod auth;
pub mod completion;
pub mod config;
pub mod confirm;
pub mod credentials;
pub mod declared;
pub mod doctor;
pub mod error;
pub mod http;
pub mod intercom;
#[cfg(test)]
mod layers;
pub mod logging;
pub mod metrics;
pub mod operations;
pub mod output;
pub mod policy;
pub mod prompts;
pub mod redact;
pub mod resources;
pub mod response;
pub mod sandbox;
pub mod server;
pub mod state;
pub mod time;
pub mod tools;
pub mod traces;
pub mod transport;
pub mod untrusted;
pub mod workspace;
