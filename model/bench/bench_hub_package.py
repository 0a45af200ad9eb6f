"""What `npm run model:package -- <Hub id>` costs for a model the size of google/vit-base-patch16-384.

    PYTHONPATH=model:model/code .venv/bin/python model/bench/bench_hub_package.py

The ViT-B/16-384 layout (its real config, 347 MB of random safetensors weights: model/demo/vit_base_384.py) is served
by the loopback Hub the tests use (model/tests/fake_hub.py), so the network is not measured: the time is the
client's own work (transfer over loopback, the sha256 check, gzip). Runs, each through the real CLI:

1. empty Hugging Face cache: download, check, package;
2. the same commit again: nothing downloaded, the tarball found up to date (the `npm run synth` case);
3. another empty cache and another output: everything again; its sha256 must equal run 1's.

Baseline measured in the same run: `gzip -6` of the weights file alone (the bulk of packaging). Not a test: the
numbers depend on the machine and whatever else runs on it (the load average is printed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo.vit_base_384 import write_vit_base_384
from tests.fake_hub import FakeHub

MODEL_ROOT = Path(__file__).resolve().parents[1]

SCRIPT = MODEL_ROOT / "scripts" / "package_model.py"
REPO = "bench-only/vit-base-patch16-384"


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env, cwd=MODEL_ROOT.parent)
    return time.perf_counter() - start, result


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as scratch, FakeHub() as hub:
        work = Path(scratch)
        folder = write_vit_base_384(work / "repo")
        sha = hub.add_commit(REPO, folder)
        weights = folder / "model.safetensors"

        def env(cache: str) -> dict[str, str]:
            base = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
            return base | {
                "HF_ENDPOINT": hub.endpoint,
                "HF_HUB_CACHE": str(work / cache),
                "HF_HOME": str(work / "home"),
                "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            }

        runs = [
            ("1. empty cache: download, check, package", "cache-1", work / "one.tar.gz"),
            ("2. same commit again: up to date", "cache-1", work / "one.tar.gz"),
            ("3. another empty cache, another output", "cache-2", work / "two.tar.gz"),
        ]
        rows = []
        try:
            for label, cache, out in runs:
                seconds, result = timed([sys.executable, str(SCRIPT), REPO, "--revision", sha, str(out)], env(cache))
                if result.returncode != 0:
                    print(result.stderr, file=sys.stderr)
                    return 1
                rows.append((label, seconds))
            gzip_seconds, _ = timed(["sh", "-c", f"gzip -6 -c '{weights}' > /dev/null"])
        finally:
            for leftover in (MODEL_ROOT / ".cache" / "huggingface").glob("bench-only--*"):
                shutil.rmtree(leftover)
        digests = {hashlib.sha256((work / name).read_bytes()).hexdigest() for name in ("one.tar.gz", "two.tar.gz")}

        tarball = (work / "one.tar.gz").stat().st_size
        print(f"weights {weights.stat().st_size / 1e6:.1f} MB, tarball {tarball / 1e6:.1f} MB")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for label, seconds in rows:
            print(f"{label:<45} {seconds:6.1f} s  {seconds / gzip_seconds:5.2f}x gzip -6 of the weights")
        print(f"{'baseline: gzip -6 of model.safetensors':<45} {gzip_seconds:6.1f} s")
        print(f"runs 1 and 3 give the same sha256: {'yes' if len(digests) == 1 else 'NO'}")
        return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
