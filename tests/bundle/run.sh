#!/usr/bin/env bash
# CI step for the Claude Desktop bundle and the registry entry:
#   tests/bundle/run.sh BUNDLE.mcpb
# 1. the official MCPB CLI (@anthropic-ai/mcpb, pinned in package-lock.json) validates the
#    bundle's manifest, icon included;
# 2. server.json is what Cargo.toml gives (`cargo xtask server-json --check`) and valid against
#    the MCP registry's schema (ajv, draft-07; REGISTRY_SCHEMA overrides its path);
# 3. launch.py starts the bundle as Claude Desktop does and lists its 16 tools.
set -euo pipefail
bundle=$(realpath "${1:?usage: tests/bundle/run.sh BUNDLE.mcpb}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
schema=$(realpath "${REGISTRY_SCHEMA:-$root/../shared/registry/server.schema.2025-12-11.json}")

cd "$here"
npm ci --no-audit --no-fund --loglevel=error

unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$bundle" "$unpacked"
echo "== mcpb validate ($(basename "$bundle"), $(stat -c %s "$bundle") bytes)"
npx --no-install mcpb validate "$unpacked/manifest.json"

echo "== server.json: from Cargo.toml, and valid against the registry's schema"
(cd "$root" && cargo xtask server-json --check)
npx --no-install ajv validate --spec=draft7 -c ajv-formats -s "$schema" -d "$root/server.json"

echo "== the bundle started as Claude Desktop starts it"
python3 "$here/launch.py" "$bundle"
