#!/usr/bin/env bash
# CI step: Prometheus's own parser accepts what `--metrics` serves.
#   tests/metrics/check.sh BINARY
# The binary runs on the sample workspace (--sandbox) over stdio with --metrics on a free
# loopback port; a tool call that succeeds, one that fails and one to a tool that does not
# exist fill the histogram; then /metrics goes through `promtool check metrics` (Debian's
# package `prometheus`), which fails on a malformed exposition and on lint problems. Then the
# sample alerts (tests/metrics/alerts.yml, the same text as docs/operations.md's) go through
# `promtool check rules`. The faults (429, 500, a declined write, a dry run) are driven and
# checked by promtool in tests/protocol/metrics_counted.rs.
set -euo pipefail
binary=$(realpath "${1:?usage: tests/metrics/check.sh BINARY}")
command -v promtool >/dev/null || { echo "check.sh: promtool not found (apt-get install prometheus)" >&2; exit 1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
scraped=$(mktemp)
trap 'rm -f "$scraped"' EXIT

requests() {
  echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"metrics-check","version":"1"}}}'
  echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"intercomListConversations","arguments":{"per_page":1}}}'
  echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"intercomGetContact","arguments":{"contact_id":"no-such-contact"}}}'
  echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"notOurTool","arguments":{}}}'
  # Stdin stays open while /metrics is read: the server stops at end of input.
  for _ in $(seq 1 50); do
    sleep 0.2
    if curl -sf "http://127.0.0.1:$port/metrics" -o "$scraped" \
      && grep -q 'gen_ai_tool_name="_OTHER"' "$scraped"; then
      return
    fi
  done
  echo "check.sh: /metrics never showed the calls" >&2
}
requests | (cd "$(mktemp -d)" && env -i PATH="$PATH" "$binary" --sandbox --metrics "127.0.0.1:$port" >/dev/null 2>&1)

grep -q '^mcp_server_operation_duration_seconds_count{mcp_method_name="tools/call",gen_ai_tool_name="intercomListConversations",error_type=""} 1$' "$scraped"
grep -q '^mcp_server_operation_duration_seconds_count{mcp_method_name="tools/call",gen_ai_tool_name="intercomGetContact",error_type="tool_error"} 1$' "$scraped"
grep -q '^intercom_requests_total{operation="listConversations",status="200"} 1$' "$scraped"
promtool check metrics < "$scraped"
echo "check.sh: promtool accepts /metrics"

here=$(dirname "$0")
promtool check rules "$here/alerts.yml"
# The rules in the docs are these rules: the file without its leading comment lines.
python3 - "$here/alerts.yml" "$here/../../docs/operations.md" <<'PY'
import re, sys
rules = "".join(l for l in open(sys.argv[1]) if not l.startswith("#"))
docs = open(sys.argv[2]).read()
block = re.search(r"### Alerts.*?```yaml\n(.*?)```", docs, re.S)
if not block or block.group(1) != rules:
    sys.exit("check.sh: docs/operations.md's alerts differ from tests/metrics/alerts.yml")
PY
echo "check.sh: promtool accepts the sample alerts, and the docs show them"
