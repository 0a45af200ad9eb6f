#!/usr/bin/env bash
# Lint of the project's Python (model/, local/endpoint/, tools/deploy/emulator/): formatting and lint rules (ruff) and types of the SageMaker
# inference code in model/code and of the Hub downloader in model/hub (mypy). Tools: .venv's, pinned in
# model/requirements-dev.txt and installed by scripts/setup.sh. Settings: pyproject.toml. Every check runs even after one fails, so one run lists every
# finding; the exit status is non-zero if any check found anything.
#
#   bash scripts/lint-python.sh
#   .venv/bin/ruff format model local/endpoint tools/deploy/emulator && .venv/bin/ruff check --fix model local/endpoint tools/deploy/emulator   # apply the automatic fixes
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in ruff mypy; do
  if [ ! -x ".venv/bin/$tool" ]; then
    echo "lint-python: .venv/bin/$tool is missing; run: bash scripts/setup.sh" >&2
    exit 2
  fi
done

failed=()
check() { # check <name> <command>...: runs it, remembers a failure
  local name=$1; shift
  printf '\033[1m[lint-python]\033[0m %s\n' "$name"
  "$@" || failed+=("$name")
}
# Every folder that holds the project's Python.
PYTHON_DIRS=(model local/endpoint tools/deploy/emulator)
check "ruff format --check" .venv/bin/ruff format --check "${PYTHON_DIRS[@]}"
check "ruff check" .venv/bin/ruff check "${PYTHON_DIRS[@]}"
check "mypy model/code" .venv/bin/mypy --config-file pyproject.toml model/code
# The Hub downloader imports model/code's model_folder by plain name, as the packaging script does at run time.
check "mypy model/hub" env MYPYPATH=model/code .venv/bin/mypy --config-file pyproject.toml model/hub

if [ ${#failed[@]} -gt 0 ]; then
  printf 'lint-python: failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
  exit 1
fi
echo "lint-python: clean"
