//! The tools a binary serves, asked the way a client asks: initialize, then tools/list over
//! stdio. The binary runs with a cleared environment in an empty directory, so that no
//! switch (read-only, a tool list) or `.env` file of the developer's narrows the list.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde_json::{Value, json};

pub struct Tool {
    pub name: String,
    pub description: String,
}

pub fn list(binary: &Path) -> anyhow::Result<Vec<Tool>> {
    let empty = std::env::temp_dir().join(format!("xtask-tools-{}", std::process::id()));
    std::fs::create_dir_all(&empty)?;
    let mut child = Command::new(binary)
        .current_dir(&empty)
        .env_clear()
        .env("LOG_LEVEL", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    for message in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "xtask-bundle", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    ] {
        writeln!(stdin, "{message}")?;
    }
    stdin.flush()?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut answer = None;
    for line in BufReader::new(stdout).lines() {
        let message: Value = serde_json::from_str(&line?)?;
        if message["id"] == 2 {
            answer = Some(message);
            break;
        }
    }
    drop(stdin);
    child.wait()?;
    std::fs::remove_dir_all(&empty).ok();
    let Some(answer) = answer else {
        bail!("the server closed stdout before answering tools/list");
    };
    let tools = answer["result"]["tools"]
        .as_array()
        .with_context(|| format!("tools/list answered without tools: {answer}"))?;
    tools
        .iter()
        .map(|tool| {
            Ok(Tool {
                name: tool["name"]
                    .as_str()
                    .context("a tool without a name")?
                    .to_owned(),
                description: tool["description"].as_str().unwrap_or_default().to_owned(),
            })
        })
        .collect()
}
