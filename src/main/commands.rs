//! The commands that answer once and exit: `doctor`, `call` (one tool, as an MCP client would
//! call it) and `tools` (the list).

use std::process::ExitCode;

use intercom_mcp::config::Config;
use intercom_mcp::server::IntercomServer;

use super::Exit;

pub async fn doctor(config: &Config) -> Exit {
    let executable = std::env::current_exe()
        .map(|path| path.display().to_string())
        .unwrap_or_else(|_| "intercom-mcp".to_owned());
    let report =
        intercom_mcp::doctor::run(config, &intercom_mcp::doctor::region_urls(), &executable).await;
    for line in &report.lines {
        println!("{line}");
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One tool through the same path an MCP call takes. Exit 0 on success, 1 on an error result,
/// 2 on a call that could not be made (unknown tool, arguments not a JSON object).
pub async fn call(config: &Config, tool: &str, arguments: &str) -> Exit {
    let server = IntercomServer::new(config)?;
    let arguments = match serde_json::from_str::<serde_json::Value>(arguments) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => {
            eprintln!(
                "intercom-mcp: the arguments must be a JSON object, e.g. '{{\"contact_id\": \"…\"}}'"
            );
            return Ok(ExitCode::from(2));
        }
    };
    let Some(result) = server.call(tool, Some(arguments)).await else {
        let names: Vec<&str> = server.tools().map(|tool| tool.name()).collect();
        eprintln!(
            "intercom-mcp: no tool {tool:?}; the tools are: {}",
            names.join(", ")
        );
        return Ok(ExitCode::from(2));
    };
    for block in &result.content {
        if let Some(text) = block.as_text() {
            println!("{}", text.text);
        }
    }
    Ok(if result.is_error == Some(true) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub fn tools(config: &Config, json: bool) -> Exit {
    let server = IntercomServer::new(config)?;
    let rows = intercom_mcp::tools::summary(server.tools());
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!("{}", intercom_mcp::tools::table(&rows));
    }
    Ok(ExitCode::SUCCESS)
}
