//! The first minute: a person who starts the server by hand (stdin a terminal) reads one stderr
//! line saying it waits for an MCP client, how to connect one and how to try a tool; a client
//! (stdin a pipe) never sees that line. In both cases stdout carries JSON-RPC only.
//!
//! The terminal is a real pseudo-terminal from util-linux's `script`, which runs the binary
//! with the pty as its stdin while stdout and stderr go to files of their own.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const LINE: &str = "waiting for an MCP client on stdin";

/// initialize, initialized, tools/list: one JSON-RPC message a line.
fn messages() -> String {
    [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "first-minute-test", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    ]
    .iter()
    .map(|message| format!("{message}\n"))
    .collect()
}

/// Every stdout line is a JSON-RPC message; the answer to tools/list lists tools.
fn assert_json_rpc_only(stdout: &str) {
    let mut listed = None;
    for line in stdout.lines() {
        let message: Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON on stdout: {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        if message["id"] == 2 {
            listed = message["result"]["tools"].as_array().map(Vec::len);
        }
    }
    assert!(listed.unwrap_or(0) > 0, "no tools/list answer: {stdout}");
}

/// Waits until `path` holds `lines` lines, at most 30 s.
fn wait_for_lines(path: &Path, lines: usize) -> String {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().count() >= lines || start.elapsed() > Duration::from_secs(30) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_terminal_on_stdin_gets_one_line_on_how_to_connect() {
    let dir = std::env::temp_dir().join(format!("first-minute-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let binary = env!("CARGO_BIN_EXE_intercom-mcp");
    let inner = format!(
        "exec '{binary}' --sandbox >'{}' 2>'{}'",
        out.display(),
        err.display()
    );
    let mut script = Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("util-linux `script` runs the binary under a pseudo-terminal");
    let mut stdin = script.stdin.take().unwrap();
    stdin.write_all(messages().as_bytes()).unwrap();
    stdin.flush().unwrap();
    let stdout = wait_for_lines(&out, 2);
    // Closing script's input ends the terminal's input: the server stops.
    drop(stdin);
    let status = script.wait().unwrap();
    let stderr = std::fs::read_to_string(&err).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(status.success(), "{status}: {stderr}");
    assert_json_rpc_only(&stdout);
    let said: Vec<&str> = stderr.lines().filter(|line| line.contains(LINE)).collect();
    assert_eq!(said.len(), 1, "one line, once: {stderr}");
    let line = said[0];
    assert!(
        line.contains("npx @modelcontextprotocol/inspector"),
        "{line}"
    );
    assert!(
        line.contains(&format!("{binary} --sandbox call intercom")),
        "{line}"
    );
    assert!(line.contains("Claude Desktop"), "{line}");
}

#[test]
fn a_client_on_a_pipe_never_sees_it() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_intercom-mcp"))
        .arg("--sandbox")
        .current_dir(std::env::temp_dir())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(messages().as_bytes()).unwrap();
    // Read the answers before closing stdin, at most 30 s: a thread passes stdout's lines on.
    let stdout = child.stdout.take().unwrap();
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout = String::new();
    while !stdout.contains(r#""id":2"#) {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers tools/list within 30 s");
        stdout.push_str(&line);
        stdout.push('\n');
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_json_rpc_only(&stdout);
    assert!(!stderr.contains(LINE), "{stderr}");
}
