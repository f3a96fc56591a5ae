//! The tools a binary serves, asked the way a client asks: initialize, then tools/list over
//! stdio. The binary runs with a cleared environment in an empty directory, so that no
//! switch (read-only, a tool list) or `.env` file of the developer's narrows the list.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

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
    // A thread reads stdout, so that a server that never answers is stopped after a minute.
    let stdout = child.stdout.take().context("no stdout")?;
    let (sender, answers) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let message: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if message["id"] == 2 {
                sender.send(message).ok();
                break;
            }
        }
    });
    let answer = answers.recv_timeout(Duration::from_secs(60)).ok();
    drop(stdin);
    if answer.is_none() {
        child.kill().ok();
    }
    child.wait()?;
    std::fs::remove_dir_all(&empty).ok();
    let Some(answer) = answer else {
        bail!("no answer to tools/list: the server closed stdout, or took over a minute");
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
