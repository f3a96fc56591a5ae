#!/usr/bin/env bash
# CI step: the official Python MCP SDK (versions pinned in requirements.txt) drives the
# server's confirmation at MCP 2026-07-28 through the real binary on --sandbox (confirm.py).
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
venv="$target/sdk-venv"

echo "== the binary"
cargo build --locked --bin intercom-mcp

echo "== the Python SDK (pinned) in $venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/sdk/requirements.txt

echo "== the Python SDK through a 2026-07-28 confirmation"
"$venv/bin/python" tests/sdk/confirm.py "$target/debug/intercom-mcp"
