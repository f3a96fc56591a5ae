//! The command-line flags (clap), each falling back to an environment variable.

use clap::Args;

/// Flags; each falls back to its environment variable(s), read in [`Config::resolve`].
/// The token has no flag on purpose: a command line is visible to every user of the machine.
#[derive(Args, Debug, Default, Clone)]
pub struct Flags {
    /// Intercom region: us, eu or au [env: intercomRegion, INTERCOM_REGION] [default: us]
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// API base URL, overriding the region's [env: INTERCOM_BASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Per-request timeout in milliseconds [env: INTERCOM_API_TIMEOUT] [default: 30000]
    #[arg(long, global = true, value_name = "MS")]
    pub api_timeout: Option<u64>,
    /// Log level on stderr: error, warn, info, debug or trace [env: LOG_LEVEL] [default: info]
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Longest wait for a rate-limit window, in seconds [env: INTERCOM_MAX_RETRY_WAIT] [default: 60]
    #[arg(long, global = true, value_name = "SECONDS")]
    pub max_retry_wait: Option<u64>,
    /// Requests to Intercom in flight at once [env: INTERCOM_MAX_IN_FLIGHT] [default: 8]
    #[arg(long, global = true, value_name = "N")]
    pub max_in_flight: Option<u64>,
    /// Largest response body read, in bytes [env: INTERCOM_MAX_BODY_BYTES] [default: 16777216]
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_body_bytes: Option<u64>,
    /// Largest JSON-RPC message accepted, in bytes [env: INTERCOM_MAX_REQUEST_BYTES] [default: 4194304]
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_request_bytes: Option<u64>,
    /// HTTP connections open at once; more wait to be accepted [env: INTERCOM_MAX_CONNECTIONS] [default: 4096]
    #[arg(long, global = true, value_name = "N")]
    pub max_connections: Option<u64>,
    /// Admin that replies, closes, assigns and notes act as when a call names none
    /// [env: INTERCOM_ADMIN_ID] [default: the admin who owns the token]
    #[arg(long, global = true, value_name = "ID")]
    pub admin_id: Option<String>,
    /// Try it without an Intercom account: an embedded sample workspace that keeps writes for
    /// as long as the process runs. Over HTTP every client sends `Bearer sandbox` and all of
    /// them share that one workspace [env: INTERCOM_SANDBOX]
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Expose only the 9 read tools [env: INTERCOM_READ_ONLY]
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Write tools return the request they would send, and send nothing [env: INTERCOM_DRY_RUN]
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Customer-written text: fence (marked as the customer's) or lockdown (message bodies
    /// withheld) [env: INTERCOM_UNTRUSTED] [default: fence]
    #[arg(long, global = true, value_name = "MODE")]
    pub untrusted: Option<String>,
    /// Which writes the user confirms first, when the client can ask: never, customer-visible
    /// or all [env: INTERCOM_CONFIRM_WRITES] [default: customer-visible]
    #[arg(long, global = true, value_name = "WHICH")]
    pub confirm_writes: Option<String>,
    /// Such a write when the user cannot be asked (a client without elicitation, a 2025 client
    /// over HTTP, the `call` command): send, or refuse [env: INTERCOM_UNCONFIRMABLE] [default:
    /// send]
    #[arg(long, global = true, value_name = "WHAT")]
    pub unconfirmable: Option<String>,
    /// Expose only these tools, comma-separated [env: INTERCOM_TOOLS]
    #[arg(long, global = true, value_name = "NAMES", value_delimiter = ',')]
    pub tools: Option<Vec<String>>,
    /// Append one JSON line per write's intent and one per its outcome to PATH (`-`: stderr);
    /// SIGHUP reopens it (docs/operations.md) [env: INTERCOM_MCP_AUDIT_LOG] [default: none]
    #[arg(long, global = true, value_name = "PATH")]
    pub audit_log: Option<String>,
}
