#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
# package.json) in server mode against the real binary: `serve --http --sandbox` on a free
# loopback port, behind proxy.mjs, which adds the `Authorization: Bearer sandbox` the suite
# cannot send. Two runs, each judged against expected-failures.yml:
#   1. the active suite (`--suite active`: every scenario but pending and draft ones), at the
#      suite's latest dated revision, 2025-11-25 (initialize handshake, HTTP sessions);
#   2. `--requirements 2026-07-28`: exactly what that revision requires, on its stateless
#      wire; its `not_scored` scenarios (tasks, pending) run but cannot fail the run.
# The suite's own README (npm package, "Expected Failures") gives the exit codes used here:
# a failing check not in the baseline fails the run, and so does a baselined check that now
# passes; a WARNING counts as a failure. Scenario sources: src/scenarios/server/ in
# github.com/modelcontextprotocol/conformance.
#
# Usage, after `npm ci` here and `cargo build --bin intercom-mcp`:
#   ./run.sh [path/to/intercom-mcp]     (default: ../../target/debug/intercom-mcp)
# It builds nothing. Each scenario's checks.json, the suite's output and the server's log are
# left in ./results/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:-$here/../../target/debug/intercom-mcp}")"
node="$here/node_modules/.bin/node"
suite="$here/node_modules/.bin/conformance"
baseline="$here/expected-failures.yml"
results="$here/results"
# Each run takes seconds; ten minutes means something hangs.
suite_timeout=600
# Bounded waits for the server and the proxy to listen, in tenths of a second.
startup_tenths=300

[ -x "$bin" ] || { echo "run.sh: no binary at $bin (cargo build --bin intercom-mcp first)" >&2; exit 2; }
[ -x "$node" ] && [ -e "$suite" ] || { echo "run.sh: run \`npm ci\` in $here first" >&2; exit 2; }

work="$(mktemp -d)"
rm -rf "$results"
mkdir -p "$results"
server_pid=""
proxy_pid=""
stop() {
  # Only the two processes this script started, by their ids.
  for pid in $proxy_pid $server_pid; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $proxy_pid $server_pid; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

# Waits until the file $1 holds a line matching the extended regex $2 and prints the port
# at its end, or gives up after $startup_tenths, or as soon as process $3 has exited.
port_from() {
  local file=$1 pattern=$2 pid=$3 line
  for _ in $(seq "$startup_tenths"); do
    line="$(sed 's/\x1b\[[0-9;]*m//g' "$file" | grep -m1 -oE "$pattern" || true)"
    if [ -n "$line" ]; then
      echo "${line##*:}"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "run.sh: not listening after $((startup_tenths / 10)) s; its output:" >&2
  else
    echo "run.sh: it exited before listening; its output:" >&2
  fi
  cat "$file" >&2
  return 1
}

# The server: a sample workspace, nothing reaches Intercom. A clean environment and an empty
# working directory, so that no token or .env of the developer's changes what is tested.
# Port 0: the kernel picks a free one, and the server logs it.
(cd "$work" && exec env -i PATH="$PATH" HOME="$work" \
  "$bin" serve --http 127.0.0.1:0 --sandbox --log-level info </dev/null 2>"$results/server.log") &
server_pid=$!
server_port="$(port_from "$results/server.log" 'serving MCP over Streamable HTTP at /mcp address=127\.0\.0\.1:[0-9]+' "$server_pid")"

"$node" "$here/proxy.mjs" "$server_port" >"$work/proxy.log" 2>&1 </dev/null &
proxy_pid=$!
proxy_port="$(port_from "$work/proxy.log" 'listening on 127\.0\.0\.1:[0-9]+' "$proxy_pid")"
url="http://127.0.0.1:$proxy_port/mcp"
echo "conformance: $("$node" --version), suite $("$node" -p 'require("@modelcontextprotocol/conformance/package.json").version' 2>/dev/null || echo '?'), $url -> 127.0.0.1:$server_port"

failed=0

# One run of the suite: its full output goes to results/<name>.log; the summary and the
# baseline's verdict are printed, and on failure each failing check with its message.
run() {
  local name=$1 rc=0 started=$SECONDS
  shift
  echo "== conformance: $name"
  mkdir -p "$results/$name"
  (cd "$here" && timeout "$suite_timeout" "$node" "$suite" server --url "$url" \
    --expected-failures "$baseline" -o "$results/$name" "$@") >"$results/$name.log" 2>&1 || rc=$?
  sed -n '/=== SUMMARY ===/,$p' "$results/$name.log"
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 124 ] && echo "run.sh: the suite did not finish in $suite_timeout s"
    grep -q '=== SUMMARY ===' "$results/$name.log" || tail -n 40 "$results/$name.log"
    echo "-- what the unexpected failures say ($name):"
    "$node" "$here/failures.mjs" "$results/$name" "$results/$name.log"
    failed=1
  fi
  echo "== conformance: $name: exit $rc in $((SECONDS - started)) s"
}

run active --suite active
run requirements-2026-07-28 --requirements 2026-07-28

if [ "$failed" -ne 0 ]; then
  echo "conformance: FAILED: unexpected failures or stale baseline entries above (each scenario's checks.json and the server's log are in $results)"
  exit 1
fi
echo "conformance: passed, every failure expected"
