#!/usr/bin/env bash
# Installs what the project needs on a fresh machine, and nothing twice.
#
#   bash scripts/setup.sh          everything (scripts/test.sh, CI)
#   bash scripts/setup.sh local    only what the local stack needs (scripts/local.sh): the first three below
#
#   - npm packages from package-lock.json (npm ci)
#   - a JDK for the local endpoint's model server (multi-model-server runs on Java): scripts/ensure-jdk.sh
#   - .venv: Python packages for model/ (pinned in model/requirements-dev.txt; torch is the CPU wheel) and the
#     SageMaker inference toolkits the local endpoint runs
#   - .venv-tf449: the model tests again under the serving container's transformers (model/requirements-tf449.txt)
#   - .venv-checkov: the security scanner, kept apart because it pins many packages of its own
#   - .venv-emulator: the AWS emulator for deploy rehearsals (moto, tools/deploy/emulator/requirements.txt), kept apart
#     for the same reason
# The last three only serve the tests and the deploy rehearsal. Each step records a fingerprint of its inputs and is
# skipped while they are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-all}" in
  all) only_local=false ;;
  local) only_local=true ;;
  *) echo "usage: bash scripts/setup.sh [local]" >&2; exit 2 ;;
esac
export CHECKPOINT_DISABLE=1 NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
# The SHA-256 of stdin; macOS has shasum but no sha256sum.
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1; }
fingerprint() { cat "$@" | sha256; }

# npm: reinstall when the lock file changed since the last install.
npm_stamp=node_modules/.setup-stamp
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$(fingerprint package-lock.json)" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  fingerprint package-lock.json > "$npm_stamp"
fi

# Java for multi-model-server (the local endpoint runs the real Hugging Face inference toolkit on it): found, or
# installed with apt-get on Debian/Ubuntu, or stops with the command to run (macOS: Homebrew).
bash scripts/ensure-jdk.sh

pip_quiet() { # pip's output minus "Location ... is ignored" warnings (a pip config naming a missing local index); keeps pip's exit code
  local py=$1; shift
  "$py" -m pip --disable-pip-version-check -q "$@" 2>&1 | { grep -v '^WARNING: Location' || true; }
  return "${PIPESTATUS[0]}"
}

make_venv() { # make_venv <dir> <requirements file>...
  local dir=$1; shift
  local want; want=$(fingerprint "$@")
  if [ -f "$dir/.setup-stamp" ] && [ "$(cat "$dir/.setup-stamp")" = "$want" ]; then return 0; fi
  say "python venv $dir from $*"
  [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
  local args=(); for f in "$@"; do args+=(-r "$f"); done
  pip_quiet "$dir/bin/python" install "${args[@]}"
  echo "$want" > "$dir/.setup-stamp"
}

make_venv .venv model/requirements-dev.txt

# SageMaker inference toolkits + multi-model-server into .venv, --no-deps: their metadata pulls audio/TensorFlow/boto3
# stacks nothing here imports (the modules they do import are pinned in requirements-dev.txt). Used by
# model/tests/test_toolkits.py and the local endpoint (local/endpoint/serve.py).
toolkits_want=$(fingerprint model/requirements-dev.txt model/requirements-toolkits.txt)
if [ ! -f .venv/.toolkits-stamp ] || [ "$(cat .venv/.toolkits-stamp)" != "$toolkits_want" ]; then
  say "SageMaker inference toolkits into .venv (--no-deps)"
  pip_quiet .venv/bin/python install --no-deps -r model/requirements-toolkits.txt
  echo "$toolkits_want" > .venv/.toolkits-stamp
fi
if $only_local; then
  say "ready"
  exit 0
fi

# .venv-tf449: the model tests again under the container's transformers 4.49.0 (model/requirements-tf449.txt).
# torch: TF449_TORCH (default 2.13.0, the CPU wheel on disk). TF449_TORCH=2.6.0 gives the container's exact torch,
# but PyPI only has its CUDA build: about 3 GB to download and 5.2 GB installed, so it is not the default.
tf449_torch=${TF449_TORCH:-2.13.0}
tf449_want=$(echo "torch==$tf449_torch" | cat - model/requirements-tf449.txt model/requirements-toolkits.txt | sha256)
if [ ! -f .venv-tf449/.setup-stamp ] || [ "$(cat .venv-tf449/.setup-stamp)" != "$tf449_want" ]; then
  say "python venv .venv-tf449 (transformers 4.49.0, torch $tf449_torch) from model/requirements-tf449.txt"
  [ -x .venv-tf449/bin/python ] || python3 -m venv .venv-tf449
  pip_quiet .venv-tf449/bin/python install "torch==$tf449_torch" -r model/requirements-tf449.txt
  pip_quiet .venv-tf449/bin/python install --no-deps -r model/requirements-toolkits.txt
  echo "$tf449_want" > .venv-tf449/.setup-stamp
fi
make_venv .venv-checkov scripts/checkov-requirements.txt
make_venv .venv-emulator tools/deploy/emulator/requirements.txt
say "ready"
