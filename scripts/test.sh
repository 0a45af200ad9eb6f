#!/usr/bin/env bash
# The project's whole test suite, from a fresh clone: set-up, then every check CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bash scripts/setup.sh

step "type check (tsc: the production code without jest's types, then everything with the tests)"
npm run --silent typecheck

step "lint and format (typescript-eslint, Prettier, ruff, mypy over every Python folder: strict on model/code and model/hub): zero findings"
npm run --silent lint

# Built once here (or reused from model/.cache), so the test suites below never train it concurrently.
step "demo model and model.tar.gz"
npm run --silent model:artifact

# What a user runs first: the real CLI, default config, no AWS credentials, no network. No TF_CLI_CONFIG_FILE either:
# cdktf asks terraform for its version three times, and a CLI configuration named but missing (as on some CI
# machines) makes terraform print a warning box each time.
step "cdktf synth (default config, offline)"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE -u TF_CLI_CONFIG_FILE CLASSIFIER_CONFIG= \
  npx cdktf synth --output cdktf.out >/dev/null
test -s cdktf.out/stacks/vit-classifier/cdk.tf.json
echo "wrote cdktf.out/stacks/vit-classifier/cdk.tf.json"

# The four pytest suites (model code twice: transformers 4.57.6 and the container's 4.49.0; local endpoint; emulator),
# from the one list `npm run test:python` runs too.
bash scripts/test-python.sh --step-headers

step "jest, fast tier (synth, Lambda, local stack units, tools: no Java, no Python, no terraform)"
npm run --silent test:unit -- --ci

# One worker: the end-to-end suites start real servers (Java, the model server, the AWS emulator, terraform) and
# share the 2 cores.
step "jest, end-to-end tier (local stack, terraform validate, deploy rehearsal)"
npm run --silent test:e2e -- --ci

# The decoder's cost property (model/tests/test_decode_property.py) with many more generated pictures per kind than
# the pytest run above (a fixed seed either way, so a failure repeats).
step "pytest, end-to-end tier: the image decoder's cost property, long run"
DECODE_PROPERTY_EXAMPLES=200 .venv/bin/python -m pytest model/tests/test_decode_property.py -q -p no:cacheprovider

step "security scan (checkov on the synthesized Terraform)"
bash scripts/checkov.sh
