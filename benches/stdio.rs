//! Whole-process benchmark of the release server over stdio (run by hand, never in CI):
//! cold start, memory over 20,000 calls, per-call overhead against a direct HTTP call to the
//! same instant mock, the server's CPU time per call, throughput with 16 calls in flight,
//! tools/list size, binary size.
//!
//!     cargo bench --bench stdio            # BENCH_CALLS=20000 by default

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::Failure;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#;

struct Session {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: u64,
}

impl Session {
    async fn start(intercom: &str) -> Result<(Self, Duration), Failure> {
        let started = Instant::now();
        let mut child = Command::new(support::binary())
            .env_clear()
            .env("accessToken", "tok_bench")
            .env("INTERCOM_BASE_URL", intercom)
            .env("LOG_LEVEL", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        stdin
            .write_all(format!("{INITIALIZE}\n").as_bytes())
            .await?;
        stdout.next_line().await?.ok_or("no initialize reply")?;
        let cold = started.elapsed();
        stdin
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
            .await?;
        Ok((
            Self {
                child,
                stdin,
                stdout,
                next_id: 1,
            },
            cold,
        ))
    }

    async fn send(&mut self, method: &str, params: &str) -> Result<(), Failure> {
        let id = self.next_id;
        self.next_id += 1;
        let line =
            format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}","params":{params}}}"#);
        self.stdin.write_all(line.as_bytes()).await?;
        self.stdin.write_all(b"\n").await?;
        Ok(())
    }

    async fn reply(&mut self) -> Result<String, Failure> {
        Ok(self
            .stdout
            .next_line()
            .await?
            .ok_or("the server closed stdout")?)
    }

    fn cpu_time(&self) -> Duration {
        self.child.id().map_or(Duration::ZERO, support::cpu_time)
    }

    fn rss_kib(&self) -> u64 {
        self.child
            .id()
            .map_or(0, |pid| support::status_kib(pid, "VmRSS:"))
    }
}

const CALL: &str = r#"{"name":"intercomGetContact","arguments":{"contact_id":"c1"}}"#;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    let calls: usize = std::env::var("BENCH_CALLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let intercom = support::instant_mock().await?;

    let mut cold = Vec::new();
    for _ in 0..25 {
        let (session, elapsed) = Session::start(&intercom).await?;
        cold.push(elapsed);
        drop(session);
    }

    let (mut session, _) = Session::start(&intercom).await?;
    session.send("tools/list", "{}").await?;
    let tools_list_bytes = session.reply().await?.len();
    let rss_start = session.rss_kib();

    let mut stdio = Vec::with_capacity(calls);
    let mut rss_marks = Vec::new();
    let cpu_before = session.cpu_time();
    for index in 0..calls {
        let started = Instant::now();
        session.send("tools/call", CALL).await?;
        let reply = session.reply().await?;
        stdio.push(started.elapsed());
        if !reply.contains(r#""isError":false"#) {
            return Err(format!("call {index} failed: {reply}").into());
        }
        if (index + 1) % (calls / 4).max(1) == 0 {
            rss_marks.push((index + 1, session.rss_kib()));
        }
    }

    let cpu_per_call = (session.cpu_time() - cpu_before) / u32::try_from(calls).unwrap_or(1);

    let http = reqwest::Client::new();
    let mut direct = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        let body = http
            .get(format!("{intercom}/contacts/c1"))
            .send()
            .await?
            .bytes()
            .await?;
        direct.push(started.elapsed());
        std::hint::black_box(body);
    }

    let in_flight = 16;
    let started = Instant::now();
    for _ in 0..in_flight {
        session.send("tools/call", CALL).await?;
    }
    let (mut sent, mut received) = (in_flight, 0);
    while received < calls {
        session.reply().await?;
        received += 1;
        if sent < calls {
            session.send("tools/call", CALL).await?;
            sent += 1;
        }
    }
    let throughput = calls as f64 / started.elapsed().as_secs_f64();
    let rss_end = session.rss_kib();

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    cold.sort_unstable();
    stdio.sort_unstable();
    direct.sort_unstable();
    let pct = |v: &[Duration], p: f64| {
        v.get(((v.len() as f64 * p) as usize).min(v.len() - 1))
            .copied()
            .unwrap_or_default()
    };
    let binary_bytes = std::fs::metadata(support::binary())
        .map(|m| m.len())
        .unwrap_or(0);
    println!("| measure | value |");
    println!("|---|---:|");
    println!(
        "| cold start, spawn → initialize reply (median of {}) | {:.2} ms |",
        cold.len(),
        ms(pct(&cold, 0.5))
    );
    println!(
        "| RSS after start-up | {:.1} MiB |",
        rss_start as f64 / 1024.0
    );
    for (after, kib) in &rss_marks {
        println!(
            "| RSS after {after} sequential calls | {:.1} MiB |",
            *kib as f64 / 1024.0
        );
    }
    println!(
        "| RSS after {} more calls, 16 in flight | {:.1} MiB |",
        calls,
        rss_end as f64 / 1024.0
    );
    println!(
        "| call over stdio, median / p99 | {:.3} / {:.3} ms |",
        ms(pct(&stdio, 0.5)),
        ms(pct(&stdio, 0.99))
    );
    println!(
        "| direct HTTP GET to the mock, median / p99 | {:.3} / {:.3} ms |",
        ms(pct(&direct, 0.5)),
        ms(pct(&direct, 0.99))
    );
    println!(
        "| added by the server, median | {:.3} ms ({:.2}×) |",
        ms(pct(&stdio, 0.5)) - ms(pct(&direct, 0.5)),
        pct(&stdio, 0.5).as_secs_f64() / pct(&direct, 0.5).as_secs_f64()
    );
    println!(
        "| server CPU time per sequential call (user + system) | {:.3} ms |",
        ms(cpu_per_call)
    );
    println!("| throughput, 16 calls in flight | {throughput:.0} calls/s |");
    println!("| tools/list reply | {tools_list_bytes} bytes |");
    println!(
        "| release binary | {:.1} MB |",
        binary_bytes as f64 / 1_000_000.0
    );
    Ok(())
}
