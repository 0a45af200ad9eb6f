#!/usr/bin/env bash
# Lint of the project's Python (model/, local/endpoint/, tools/deploy/emulator/): formatting and lint rules (ruff)
# and types (mypy) of every folder: strict for the SageMaker inference code (model/code) and the Hub downloader
# (model/hub), the default checks elsewhere. Tools: .venv's, pinned in model/requirements-dev.txt and installed by
# scripts/setup.sh. Settings: pyproject.toml. Every check runs even after one fails, so one run lists every
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
# mypy over every Python folder, each run with the folders its imports resolve from (as pytest's pythonpath and the
# scripts' PYTHONPATH give them at run time; docs/decisions.md). Strict (pyproject.toml) for the container's code
# and the Hub downloader the packager ships from; mypy's default checks for the rest (RELAXED turns off what strict
# adds), where annotating every test and benchmark helper would add more noise than it catches. Imported folders are
# followed silently: each is reported by its own run, under its own settings. Separate runs because the test folders'
# conftest.py files share a name.
RELAXED=(--allow-untyped-defs --allow-incomplete-defs --allow-untyped-calls --allow-untyped-decorators
  --allow-any-generics --allow-subclassing-any --no-warn-return-any --implicit-reexport --no-strict-equality
  --no-extra-checks --follow-imports=silent)
MYPY="$PWD/.venv/bin/mypy"
CONFIG="$PWD/pyproject.toml"
check "mypy model/code (strict)" "$MYPY" --config-file "$CONFIG" model/code
# The Hub downloader imports model/code's model_folder by plain name, as the packaging script does at run time.
check "mypy model/hub (strict)" env MYPYPATH=model/code "$MYPY" --config-file "$CONFIG" model/hub
check "mypy model/demo+scripts+bench+hostile_images" env MYPYPATH=model/code:model "$MYPY" --config-file "$CONFIG" \
  --explicit-package-bases "${RELAXED[@]}" model/demo model/scripts model/bench model/hostile_images
check "mypy model/tests" env -C model/tests MYPYPATH=../code:.. "$MYPY" --config-file "$CONFIG" "${RELAXED[@]}" .
check "mypy local/endpoint" env -C local/endpoint MYPYPATH=../../model/code:../../model "$MYPY" --config-file "$CONFIG" \
  "${RELAXED[@]}" .
# The emulator runs in .venv-emulator (moto); mypy reads that environment's packages. On a machine set up for the
# local stack only (bash scripts/local.sh) it does not exist yet: said, not failed.
if [ -x .venv-emulator/bin/python ]; then
  check "mypy tools/deploy/emulator" env -C tools/deploy/emulator "$MYPY" --config-file "$CONFIG" \
    --python-executable "$PWD/.venv-emulator/bin/python" "${RELAXED[@]}" .
else
  echo "lint-python: .venv-emulator is missing (bash scripts/setup.sh makes it): tools/deploy/emulator's types not checked"
fi

if [ ${#failed[@]} -gt 0 ]; then
  printf 'lint-python: failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
  exit 1
fi
echo "lint-python: clean"
