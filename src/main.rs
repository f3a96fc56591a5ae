//! The `intercom-mcp` command: configuration from flags, environment and `.env`, then a
//! subcommand — serve (stdio or HTTP), doctor, call, tools. When serving over stdio, stdout
//! carries JSON-RPC only; logs always go to stderr. The binary's own modules are in `main/`:
//! the one-shot commands (`commands.rs`) and the stderr log (`stderr_log.rs`).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use intercom_mcp::config::{Config, Flags, Secret};
use intercom_mcp::confirm::round::Rounds;
use intercom_mcp::policy::SystemClock;
use intercom_mcp::server::IntercomServer;
use intercom_mcp::state::seal::Keys;
use intercom_mcp::{http, sandbox, transport};

// In a folder of the binary's own: `mod` alone would look beside the library's modules.
#[path = "main/commands.rs"]
mod commands;
#[path = "main/stderr_log.rs"]
mod stderr_log;

use commands::{call, doctor, tools};
use stderr_log::init_logging;

#[derive(Parser)]
#[command(
    name = "intercom-mcp",
    version,
    about = "An MCP server for Intercom (REST API v2.11)"
)]
#[command(
    after_help = "The access token is read from the environment only: accessToken or \
    INTERCOM_ACCESS_TOKEN (a .env file in the working directory is read too)."
)]
struct Cli {
    #[command(flatten)]
    flags: Flags,
    /// Serve Prometheus metrics at http://ADDR/metrics while serving MCP (stdio or HTTP)
    #[arg(
        long,
        global = true,
        value_name = "ADDR",
        env = "INTERCOM_MCP_METRICS_ADDR"
    )]
    metrics: Option<std::net::SocketAddr>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP over stdio (the default), or over Streamable HTTP with --http.
    Serve {
        /// Serve MCP over Streamable HTTP at ADDR (path /mcp, probe /healthz) instead of stdio
        #[arg(long, value_name = "ADDR")]
        http: Option<std::net::SocketAddr>,
        /// With --http: clients sign in with OAuth 2.1 through your Intercom app
        /// [env: INTERCOM_OAUTH_CLIENT_ID, INTERCOM_OAUTH_CLIENT_SECRET, INTERCOM_MCP_TOKEN_KEY].
        /// Without it, INTERCOM_MCP_TOKEN_KEY (base64 keys of 32 bytes, comma-separated) still
        /// seals confirmations' request states; unset, a random key per process does, and a
        /// confirmation then opens only on the replica that asked
        #[arg(long, requires = "http")]
        oauth: bool,
        /// With --oauth: the URL clients reach this server at, e.g. https://mcp.example.com
        /// [env: INTERCOM_MCP_PUBLIC_URL]
        #[arg(long, value_name = "URL", requires = "oauth")]
        public_url: Option<String>,
        /// With --http: the Redis (or Valkey) the replicas share, to remember what is used once
        /// (confirmations answered; with --oauth, codes and refresh tokens), e.g.
        /// redis://redis:6379 [env: INTERCOM_MCP_STATE_URL] [default: in process, right for one
        /// replica]
        #[arg(long, value_name = "URL", requires = "http")]
        state_url: Option<String>,
    },
    /// Check the configuration and the token (and which region it belongs to).
    Doctor,
    /// Run one tool, as an MCP client would, and print its result.
    Call {
        /// The tool's name, as `intercom-mcp tools` lists it
        tool: String,
        /// Its arguments as a JSON object
        #[arg(default_value = "{}")]
        arguments: String,
    },
    /// List the tools: name, what they do to Intercom, schema size.
    Tools {
        /// As JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A missing .env is the normal case; values already in the environment win.
    let _ = dotenvy::dotenv();
    let mut config = match Config::resolve(&cli.flags, |name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("intercom-mcp: {err}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config.log_level);
    // stdio serves one client: one thread does, with less memory and fewer hand-offs than a
    // pool; HTTP serves many and gets the multi-threaded runtime.
    let serves_http = matches!(cli.command, Some(Command::Serve { http: Some(_), .. }));
    let mut builder = if serves_http {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("intercom-mcp: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Spans exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; flushed at the end.
    let env = |name: &str| std::env::var(name).ok();
    let traces = match intercom_mcp::traces::start(env, runtime.handle()) {
        Ok(traces) => traces,
        Err(err) => {
            eprintln!("intercom-mcp: {err}");
            return ExitCode::from(2);
        }
    };
    // Kept alive until the end: dropping it stops the sample workspace.
    // The flag or INTERCOM_SANDBOX (which a Claude Desktop bundle's settings can set).
    let _sandbox = if config.sandbox {
        match runtime.block_on(sandbox::start()) {
            Ok(sandbox) => {
                config.base_url = sandbox.base_url.clone();
                config.region = intercom_mcp::config::Region::Us;
                // Over HTTP each client brings the token; elsewhere the server holds it.
                config.token = if serves_http {
                    None
                } else {
                    Secret::parse(sandbox::TOKEN)
                };
                tracing::info!("sandbox: a sample workspace; nothing reaches Intercom");
                Some(sandbox)
            }
            Err(err) => {
                eprintln!("intercom-mcp: cannot start the sandbox: {err:#}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let stdio = Command::Serve {
        http: None,
        oauth: false,
        public_url: None,
        state_url: None,
    };
    let outcome = match cli.command.unwrap_or(stdio) {
        Command::Serve { http: None, .. } => runtime.block_on(serve_stdio(&config, cli.metrics)),
        Command::Serve {
            http: Some(address),
            oauth,
            public_url,
            state_url,
        } => {
            // The flag wins over its variable, as every flag does.
            let state_url = state_url.or_else(|| std::env::var("INTERCOM_MCP_STATE_URL").ok());
            // One key for everything sealed for HTTP clients, resolved once.
            let rounds =
                shared_keys(oauth).and_then(|keys| shared_rounds(&keys, state_url.as_deref()));
            let rounds = match rounds {
                Ok(rounds) => rounds,
                Err(err) => {
                    eprintln!("intercom-mcp: {err}");
                    return ExitCode::from(2);
                }
            };
            let oauth = oauth.then_some((public_url, state_url));
            let options = match http_options(&config, address, oauth) {
                Ok(options) => options,
                Err(err) => {
                    eprintln!("intercom-mcp: {err}");
                    return ExitCode::from(2);
                }
            };
            runtime.block_on(serve_http(&config, &options, address, rounds, cli.metrics))
        }
        Command::Doctor => runtime.block_on(doctor(&config)),
        Command::Call { tool, arguments } => runtime.block_on(call(&config, &tool, &arguments)),
        Command::Tools { json } => tools(&config, json),
    };
    runtime.block_on(traces.flush());
    // When stdin is a terminal, tokio reads it on a blocking thread that may still wait for
    // input: do not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match outcome {
        Ok(code) => code,
        Err(err) => {
            tracing::error!("{err:#}");
            ExitCode::FAILURE
        }
    }
}

type Exit = anyhow::Result<ExitCode>;

/// The HTTP settings; with `oauth` (its public URL and state store URL, when given as flags),
/// the OAuth server's.
fn http_options(
    config: &Config,
    address: std::net::SocketAddr,
    oauth: Option<(Option<String>, Option<String>)>,
) -> Result<http::Options, String> {
    let env = |name: &str| std::env::var(name).ok();
    let oauth = match oauth {
        None => None,
        Some((public_url, state_url)) => {
            let client =
                intercom_mcp::intercom::http_client(config).map_err(|err| err.to_string())?;
            let oauth_env = |name: &str| match name {
                "INTERCOM_MCP_STATE_URL" => state_url.clone(),
                _ => env(name),
            };
            Some(std::sync::Arc::new(intercom_mcp::auth::OAuth::resolve(
                public_url, client, oauth_env,
            )?))
        }
    };
    http::Options::resolve_with(config, address, oauth, env)
}

/// The keys every HTTP replica seals with (`state::seal::shared_keys`): INTERCOM_MCP_TOKEN_KEY,
/// or a random key for this process, with one warning (`--oauth` requires the variable, and
/// says so itself).
fn shared_keys(oauth: bool) -> Result<Keys, String> {
    let keys = intercom_mcp::state::seal::shared_keys(|name| std::env::var(name).ok())?;
    if !keys.shared && !oauth {
        tracing::warn!(
            "INTERCOM_MCP_TOKEN_KEY is unset: what this process seals for clients (confirmations, \
             2025 session ids) is sealed with a random key and opens only here; replicas behind one address must \
             share a key"
        );
    }
    Ok(keys)
}

/// The key and store of confirmations over HTTP, which every replica must share: used states
/// remembered in `state_url`'s Redis, or in process.
fn shared_rounds(keys: &Keys, state_url: Option<&str>) -> Result<Rounds, String> {
    Rounds::new(keys, intercom_mcp::state::store::from_url(state_url)?)
}

/// Starts the `--metrics` listener, when asked for, on a task of its own.
async fn serve_metrics(server: &IntercomServer, address: Option<std::net::SocketAddr>) -> Exit {
    if let Some(address) = address {
        let bound = intercom_mcp::metrics::listen(address, server.metrics().clone())
            .await
            .map_err(|err| anyhow::anyhow!("cannot serve metrics at {address}: {err}"))?;
        tracing::info!(address = %bound, "serving Prometheus metrics at /metrics");
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve_stdio(config: &Config, metrics: Option<std::net::SocketAddr>) -> Exit {
    let server = IntercomServer::new(config)?;
    serve_metrics(&server, metrics).await?;
    server.audit().reopen_on_hangup();
    if config.token.is_none() {
        tracing::warn!(
            "no access token yet: set accessToken or INTERCOM_ACCESS_TOKEN; tool calls will say so"
        );
    }
    tracing::info!(
        region = config.region.name(),
        base_url = config.base_url,
        "serving MCP over stdio"
    );
    if std::io::stdin().is_terminal() {
        eprintln!("{}", first_minute(config, &server));
    }
    let max = config.limits.max_request_bytes;
    let (input, output) = transport::stdio();
    transport::serve(server, input, output, max, transport::signals()).await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The line for a person who started the server by hand (stdin is a terminal): the server is
/// not stuck, it waits for a client; how to connect one, and how to try a tool without one.
fn first_minute(config: &Config, server: &IntercomServer) -> String {
    let program = std::env::args()
        .next()
        .unwrap_or_else(|| "intercom-mcp".to_owned());
    let sandbox = if config.sandbox { " --sandbox" } else { "" };
    let tool = server.tools().next().map_or("TOOL", |tool| tool.name());
    format!(
        "intercom-mcp: waiting for an MCP client on stdin (JSON-RPC; Ctrl-D quits). Connect one: \
         give Claude Desktop this command (README, Install), or run `npx \
         @modelcontextprotocol/inspector {program}{sandbox}`. Try a tool without one: \
         `{program}{sandbox} call {tool}`."
    )
}

async fn serve_http(
    config: &Config,
    options: &http::Options,
    address: std::net::SocketAddr,
    rounds: Rounds,
    metrics: Option<std::net::SocketAddr>,
) -> Exit {
    let server =
        IntercomServer::per_request_with(config, std::sync::Arc::new(SystemClock), rounds)?;
    serve_metrics(&server, metrics).await?;
    server.audit().reopen_on_hangup();
    let router = http::router(server, options, config.limits.max_request_bytes);
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(address = %listener.local_addr()?, "serving MCP over Streamable HTTP at /mcp");
    let bounds = http::Bounds {
        max_connections: config.limits.max_connections,
        ..http::Bounds::default()
    };
    http::serve_with(listener, router, bounds, transport::signals()).await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
