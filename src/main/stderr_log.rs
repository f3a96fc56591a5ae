//! The process's own log, on stderr: our crate at the configured level, dependencies at
//! warnings, and rmcp's line for every error answered to a client left out.

/// Our crate logs at the configured level; dependencies only warnings, since some of them log
/// request details (rmcp logs notification params, which can hold a token). A fixed target
/// list, not an `EnvFilter`: no directive parsing or regex engine at start-up.
pub fn init_logging(level: &str) {
    use tracing_subscriber::filter::{LevelFilter, Targets, filter_fn};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // The configuration has checked the name; an unknown one cannot reach here.
    let level = level.parse().unwrap_or(LevelFilter::INFO);
    let filter = Targets::new()
        .with_default(LevelFilter::WARN)
        .with_target("intercom_mcp", level);
    let output = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false);
    tracing_subscriber::registry()
        .with(output)
        .with(filter)
        .with(filter_fn(|event| !is_rmcps_error_answer(event)))
        .init();
}

/// rmcp 3.11's WARN line for every error answered to a client (`tracing::warn!(%id, ?error,
/// "response error")` in rmcp's src/service.rs), in Rust's Debug form. An error answered to a
/// client is the client's mistake, not the server's trouble; we log it at debug in one line
/// (`transport::answered`). Only this event is left out: the only WARN of `rmcp::service` with
/// both an `id` and an `error` field. Its other warnings (a rejected request, a failed send)
/// stay.
fn is_rmcps_error_answer(event: &tracing::Metadata<'_>) -> bool {
    let fields = event.fields();
    event.is_event()
        && *event.level() == tracing::Level::WARN
        && event.target() == "rmcp::service"
        && fields.field("id").is_some()
        && fields.field("error").is_some()
}
