#!/usr/bin/env bash
# README's first command: set up a fresh machine, then run the whole classify chain on 127.0.0.1.
# Options (environment): API_PORT (3000), ENDPOINT_PORT (8080), MODEL_DIR (a Hugging Face model folder or model.tar.gz).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npm run --silent local
