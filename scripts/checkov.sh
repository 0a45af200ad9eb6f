#!/usr/bin/env bash
# Security scan of the synthesized Terraform JSON with checkov (pinned in scripts/checkov-requirements.txt,
# installed in .venv-checkov). Synthesizes the stack in the representative configurations (so mode-dependent
# resources — serverless, autoscaling, IAM/JWT auth, e-mail alarms, S3 backend — are all scanned), runs checkov on
# each cdk.tf.json and lets scripts/checkov-gate.ts apply the resource-level skips written in src/.
# Exits non-zero on any failed check, stale skip, parse error or crash.
#
#   bash scripts/checkov.sh            # fixture tarball, the representative configurations
#   CLASSIFIER_CONFIG=my.json bash scripts/checkov.sh   # additionally scans your own config
#   bash scripts/checkov.sh --list-skips                # also lists each skip applied, with its reason
# Prints one summary line per configuration, plus every failure, stale skip or error in full.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") gate_args=() ;;
  --list-skips) gate_args=(--list-skips) ;;
  *) echo "usage: bash scripts/checkov.sh [--list-skips]" >&2; exit 2 ;;
esac

CHECKOV=.venv-checkov/bin/checkov
if [ ! -x "$CHECKOV" ]; then
  echo "checkov not installed: python3 -m venv .venv-checkov && .venv-checkov/bin/pip install -r scripts/checkov-requirements.txt" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A tiny stand-in for model.tar.gz: the scan checks infrastructure, not the model.
mkdir -p "$work/model/code"
echo "# fixture" > "$work/model/code/inference.py"
tar -czf "$work/model.tar.gz" -C "$work/model" code

# The representative configurations (tools/deploy/representative-configs.ts, also validated by terraform in the tests).
mapfile -t configs < <(npx ts-node --transpile-only tools/deploy/representative-configs.ts "$work/configs" "$work/model.tar.gz")
[ "${#configs[@]}" -ge 3 ] || { echo "could not write the representative configurations" >&2; exit 1; }
if [ -n "${CLASSIFIER_CONFIG:-}" ]; then configs+=("$(realpath "$CLASSIFIER_CONFIG")"); fi

status=0
for config in "${configs[@]}"; do
  out="$work/out-$(basename "$config" .json)"
  echo "== checkov: $(basename "$config")"
  CLASSIFIER_CONFIG="$config" CDKTF_OUTDIR="$out" npx ts-node --transpile-only main.ts >/dev/null
  tfjson="$(ls "$out"/stacks/*/cdk.tf.json)"
  # checkov 3.3.30's terraform_json parser crashes on terraform.required_version (bridgecrewio/checkov#7454):
  # scan a copy without that one key (it is a version constraint, not a resource setting).
  scanned="$work/scan/$(basename "$config" .json)/cdk.tf.json"
  mkdir -p "$(dirname "$scanned")"
  node -e 'const fs=require("fs"); const j=JSON.parse(fs.readFileSync(process.argv[1],"utf8")); if (j.terraform) delete j.terraform.required_version; fs.writeFileSync(process.argv[2], JSON.stringify(j,null,2));' "$tfjson" "$scanned"
  set +e
  "$CHECKOV" -f "$scanned" --framework terraform_json --skip-download -o json > "$work/report.json" 2> "$work/checkov.err"
  rc=$?
  set -e
  # checkov exits 1 when checks fail (our gate decides which failures are skipped); anything else is a crash.
  if [ "$rc" -gt 1 ] || ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"))' "$work/report.json" 2>/dev/null; then
    echo "checkov crashed (exit $rc):" >&2; tail -20 "$work/checkov.err" >&2; status=1; continue
  fi
  npx ts-node --transpile-only scripts/checkov-gate.ts "$work/report.json" "$scanned" ${gate_args[@]+"${gate_args[@]}"} || status=1
done
exit $status
