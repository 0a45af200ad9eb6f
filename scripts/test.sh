#!/usr/bin/env bash
# The project's whole test suite, from a fresh clone: set-up, then every check CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bash scripts/setup.sh

step "type check (tsc --noEmit)"
npx tsc --noEmit

step "jest"
npx jest --ci

step "pytest (model/)"
.venv/bin/python -m pytest model/tests -q

step "security scan (checkov on the synthesized Terraform)"
bash scripts/checkov.sh
