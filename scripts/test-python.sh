#!/usr/bin/env bash
# Every pytest suite of the project, each in its own pytest process (their conftest.py files share a name, so one
# process cannot collect two of them): the model code under .venv, again under .venv-tf449 (transformers 4.49.0, as in
# the serving container, which loads models saved by .venv's 4.57.6), the local endpoint, and the AWS emulator's
# workarounds under .venv-emulator (moto). scripts/test.sh and `npm run test:python` both run this file, so the two
# cannot list different suites. Every suite runs even after one fails; the exit status is non-zero if any failed.
#
#   bash scripts/test-python.sh            # or: npm run test:python
#   bash scripts/test-python.sh --step-headers   # scripts/test.sh's "== ..." header before each suite
set -euo pipefail
cd "$(dirname "$0")/.."

headers=false
case "${1:-}" in
  --step-headers) headers=true ;;
  "") ;;
  *) echo "usage: bash scripts/test-python.sh [--step-headers]" >&2; exit 2 ;;
esac

failed=()
suite() { # suite <title> <python> <pytest arguments>...: runs one suite, remembers a failure
  local title=$1 python=$2; shift 2
  if $headers; then printf '\n\033[1m== %s\033[0m\n' "$title"; else printf '\033[1m[test-python]\033[0m %s\n' "$title"; fi
  if [ ! -x "$python" ]; then
    echo "test-python: $python is missing; run: bash scripts/setup.sh" >&2
    failed+=("$title")
    return
  fi
  "$python" -m pytest "$@" || failed+=("$title")
}

suite "pytest (model/)" .venv/bin/python model/tests -q
suite "pytest (model/, transformers 4.49.0 as in the serving container)" \
  .venv-tf449/bin/python model/tests -q -p no:cacheprovider
suite "pytest (local/endpoint: the local SageMaker endpoint)" .venv/bin/python local/endpoint/tests -q
suite "pytest (tools/deploy/emulator: the deploy rehearsal's moto workarounds)" \
  .venv-emulator/bin/python tools/deploy/emulator/tests -q

if [ ${#failed[@]} -gt 0 ]; then
  printf 'test-python: failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
