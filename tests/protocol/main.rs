//! The MCP protocol, in process and through the real binary: the tool list and identity
//! (`protocol.rs`), stdio as Claude Desktop runs it (`stdio.rs`) with no secret on it
//! (`stdio_secrets.rs`), broken input on the stdio framing (`hostile.rs`), protocol revisions
//! (`revisions.rs`), the ids of their errors (`error_ids.rs`) and how errors are answered and
//! logged (`answered.rs`), MCP Apps views in process
//! (`apps.rs`) and through the binary (`apps_binary.rs`), bounded stdio under a pipelined burst
//! (`burst.rs`), confirmation by elicitation (`confirm.rs`), at 2026-07-28 by input-required
//! answers (`confirm_rounds.rs`, across replicas: `confirm_replicas.rs`) and where nobody can be
//! asked (`confirm_unasked.rs`), the safety switches (`switches.rs`), MCP logging of waits and
//! retries (`logging.rs`), Prometheus metrics at `--metrics` (`metrics.rs`; every tool, method and fault counted
//! exactly: `metrics_counted.rs`; what is not sent: `metrics_unsent.rs`), spans exported over OTLP (`traces.rs`), the audit trail of
//! writes in process (`audit.rs`; each outcome, confirmation and trace id: `audit_outcomes.rs`) and through the binary (`audit_binary.rs`), record templates that name no record (`records.rs`), the
//! command-line tools `doctor`, `call` and `tools` (`cli.rs`), and the line for a person at a
//! terminal (`first_minute.rs`).
//!
//! One test binary: every test binary links the whole crate, and CI pays for each link.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../common/mod.rs"]
mod common;

mod answered;
mod apps;
mod apps_binary;
mod audit;
mod audit_binary;
mod audit_outcomes;
mod burst;
mod cli;
mod confirm;
mod confirm_replicas;
mod confirm_rounds;
mod confirm_unasked;
mod error_ids;
mod first_minute;
mod hostile;
mod logging;
mod metrics;
mod metrics_counted;
mod metrics_scrape;
mod metrics_unsent;
mod protocol;
mod records;
mod revisions;
mod stdio;
mod stdio_secrets;
mod switches;
mod traces;
