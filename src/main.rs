//! The `intercom-mcp` command: configuration from flags, environment and `.env`, then the MCP
//! server over stdio. stdout carries JSON-RPC only; logs go to stderr.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use intercom_mcp::config::{Config, Flags};
use intercom_mcp::policy::SystemClock;
use intercom_mcp::server::IntercomServer;
use intercom_mcp::{http, transport};

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
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A missing .env is the normal case; values already in the environment win.
    let _ = dotenvy::dotenv();
    let config = match Config::resolve(&cli.flags, |name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("intercom-mcp: {err}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config.log_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("intercom-mcp: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command.unwrap_or(Command::Serve { http: None }) {
        Command::Serve { http: None } => runtime.block_on(serve_stdio(&config)),
        Command::Serve {
            http: Some(address),
        } => {
            let options =
                match http::Options::resolve(&config, address, |name| std::env::var(name).ok()) {
                    Ok(options) => options,
                    Err(err) => {
                        eprintln!("intercom-mcp: {err}");
                        return ExitCode::from(2);
                    }
                };
            runtime.block_on(serve_http(&config, &options, address))
        }
    };
    // tokio reads stdin on a blocking thread that may still wait for input: do not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Our crate logs at the configured level; dependencies only warnings, since some of them log
/// request details (rmcp logs notification params, which can hold a token).
fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::new(format!("warn,intercom_mcp={level}"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

async fn serve_stdio(config: &Config) -> anyhow::Result<()> {
    let server = IntercomServer::new(config)?;
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
    let max = config.limits.max_request_bytes;
    transport::serve(
        server,
        tokio::io::stdin(),
        tokio::io::stdout(),
        max,
        transport::signals(),
    )
    .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn serve_http(
    config: &Config,
    options: &http::Options,
    address: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let server = IntercomServer::per_request(config, std::sync::Arc::new(SystemClock))?;
    let router = http::router(server, options, config.limits.max_request_bytes);
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(address = %listener.local_addr()?, "serving MCP over Streamable HTTP at /mcp");
    http::serve(listener, router, transport::signals()).await?;
    tracing::info!("stopped");
    Ok(())
}
