#!/usr/bin/env bash
# README's first command: set up what the local stack needs (not the test-only environments), then run the whole
# classify chain on 127.0.0.1 (local/run.ts).
#   bash scripts/local.sh              set up, then run
#   bash scripts/local.sh --no-setup   run on a machine already set up (the end-to-end tests run it this way)
# Options (environment): API_PORT (3000), ENDPOINT_PORT (8080), MODEL_DIR (a Hugging Face model folder or model.tar.gz).
# The runner replaces this shell (exec, no npm in between: npm does not pass SIGINT on), so Ctrl-C, SIGINT or SIGTERM
# to this process's id reach it, and it stops both servers. PATH as `npm run` sets it: the project's Node.js 22
# (node_modules/.bin/node, an optional dependency) runs it where there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") bash scripts/setup.sh local ;;
  --no-setup) ;;
  *) echo "usage: bash scripts/local.sh [--no-setup]" >&2; exit 2 ;;
esac
export PATH="$PWD/node_modules/.bin:$PATH"
exec ts-node --transpile-only local/run.ts
