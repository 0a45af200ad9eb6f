"""Image-cost benchmark: what the worst images the limits accept cost one model server worker.

    npm run bench:image-cost -- [--repeat 3] [--only NAME ...] [--baseline-code DIR]
                                                     [--cpu-limit SECONDS] [--contention SECONDS]
                                                     [--contention-model DIR] [--attack NAME]

Part 1 (cost per image): every case is decoded and preprocessed (serving_image.decode_image, then the
ViT-B/16-384 preprocessor: exactly what input_fn/predict_fn do before the forward pass) in a fresh process, so
the peak memory of one case never hides behind another's. Printed per case: body bytes, what the endpoint
answers, wall time and CPU time (medians of --repeat processes; CPU time, of every thread of the process, is the
number the machine's other load does not inflate) and peak resident-memory growth over the worker's resting state
(/proc VmHWM, reset just before the call). The reference is an ordinary 640x480 photo measured in the same run.
Cases (model/hostile_images): pictures at the limits (pixels, sides, format ceilings) and pictures with hostile
metadata (EXIF tags sharing one block, segment/comment/extension floods, ancillary data that inflates).
Bounds (docs/model.md): at most 1 s and 500 MB per picture on a 2-core machine, whether it is accepted or refused;
"OVER" marks a breach. A case still running after --cpu-limit CPU seconds (default 120) is stopped and marked.
--baseline-code runs every case against another copy of model/code too (e.g. the previous release), interleaved.

Part 2 (--contention SECONDS): the local endpoint (real multi-model-server, default two workers) serves the
ViT-B/16-384 architecture (random weights: the compute is the real one); one client sends ordinary photos for
SECONDS alone, SECONDS beside two clients sending ordinary photos (the fair share of two workers), and SECONDS
while two other clients send an expensive accepted image (--attack) back to back, in interleaved halves. Printed:
the good client's throughput in both and the ratio (the bound: the attack may cost at most half), and its slowest
answer and how many took longer than the Lambda's default budget (25 s: a 504 through the API). With a
toy model (--contention-model model/.cache/demo-model) any image that costs more than the model starves it: the
model server's queue is first come, first served. The number of workers matters as much as the image: with as many
workers as clients (two here, one per vCPU as in SageMaker), a waiting request sits in the queue behind whatever
the workers are decoding; with a worker to spare (SAGEMAKER_MODEL_SERVER_WORKERS=3 here; an ml.c7i.xlarge runs
four) the operating system shares the cores among the three requests instead, whatever they cost.

Not a test: the numbers depend on the machine and on whatever else runs on it (the load average is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from hostile_images.at_the_limits import encoded, gradient, photo_640
from hostile_images.cases import CASES, REFERENCE

MODEL_ROOT = Path(__file__).resolve().parents[1]
CODE_DIR = MODEL_ROOT / "code"
REPO_ROOT = MODEL_ROOT.parent


TIME_BOUND_S = 1.0
# InvokeEndpoint's body limit (nothing larger reaches a worker), from the file common/facts.ts reads too.
MAX_BODY_BYTES: int = json.loads((REPO_ROOT / "common" / "invoke-limits.json").read_text())["realtimeInvokeMaxBytes"]
MEMORY_BOUND_MB = 500.0
INVOKE_BUDGET_S = 25.0  # the Lambda's default INVOKE_BUDGET_MS: an answer slower than this is a 504 through the API


# -- one measurement (runs in a fresh process) ------------------------------------------------------------------


def _status_kb(field: str) -> int:
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


class _CpuLimit(BaseException):  # not an Exception: decode_image would report it as a damaged file
    pass


def _stop(_signum, _frame) -> None:
    raise _CpuLimit


def measure_one(body_file: Path, cpu_limit: float) -> dict:
    """Runs in the child run_case starts, whose PYTHONPATH holds the model/code copy being measured."""
    from transformers import ViTImageProcessor

    from demo.vit_base_384 import PREPROCESSOR
    from serving_errors import RequestError
    from serving_image import decode_image
    from serving_preprocess import Preprocessor
    from serving_settings import load_settings

    settings = load_settings()
    config = {k: v for k, v in PREPROCESSOR.items() if k != "feature_extractor_type"}
    preprocess = Preprocessor.from_processor(ViTImageProcessor(**config))
    data = body_file.read_bytes()
    # Warm the code path once on a small image, so lazy imports and allocator pools are part of the resting state.
    preprocess([decode_image(encoded(gradient((64, 48)), "JPEG"), settings)])

    resting_kb = _status_kb("VmRSS:")
    with Path("/proc/self/clear_refs").open("w") as clear:
        clear.write("5")  # resets VmHWM (peak RSS) to the current RSS
    signal.signal(signal.SIGPROF, _stop)
    started, cpu_started = time.perf_counter(), time.process_time()
    signal.setitimer(signal.ITIMER_PROF, cpu_limit)  # a case that would run for minutes is stopped and marked
    outcome = "200"
    try:
        image = decode_image(data, settings)
        preprocess([image])
        size = f"{image.size[0]}x{image.size[1]}"
    except RequestError as error:
        outcome, size = f"{error.status} {error.code}", "-"
    except _CpuLimit:
        outcome, size = f"STOPPED after {cpu_limit:.0f} s CPU", "-"
    signal.setitimer(signal.ITIMER_PROF, 0)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kb = _status_kb("VmHWM:")
    return {
        "outcome": outcome,
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": (peak_kb - resting_kb) / 1024,
        "decoded": size,
    }


def run_case(body_file: Path, code_dir: Path, cpu_limit: float) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--measure", str(body_file), "--cpu-limit", str(cpu_limit)],
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
            # The copy of model/code this run measures (the current one or --baseline-code), then model/ itself.
            "PYTHONPATH": os.pathsep.join([str(code_dir), str(MODEL_ROOT)]),
        },
    )
    if result.returncode != 0:
        return {
            "outcome": "CRASH",
            "seconds": float("nan"),
            "cpu": float("nan"),
            "peak_mb": float("nan"),
            "decoded": result.stderr.strip()[-200:],
        }
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- report -----------------------------------------------------------------------------------------------------


def machine_line() -> str:
    import serving_hardware  # no torch: the bench process stays light

    cpu = serving_hardware.read_cpu_features().describe()
    return f"machine: {os.cpu_count()} cores, {cpu}, load average {os.getloadavg()[0]:.2f}"


def cost_table(cases: list[str], repeat: int, code_dirs: dict[str, Path], work: Path, cpu_limit: float) -> list[dict]:
    rows = []
    for name in cases:
        body_file = work / f"{abs(hash(name))}.bin"
        if not body_file.exists():
            body_file.write_bytes(CASES[name]())
        size = body_file.stat().st_size
        if size > MAX_BODY_BYTES:
            raise SystemExit(f"case {name!r} is {size} bytes, over the {MAX_BODY_BYTES}-byte body limit: fix the case")
        runs: dict[str, list[dict]] = {label: [] for label in code_dirs}
        for _ in range(repeat):  # interleaved, so background load hits every code version alike
            for label, code_dir in code_dirs.items():
                runs[label].append(run_case(body_file, code_dir, cpu_limit))
        for label, results in runs.items():
            rows.append(
                {
                    "case": name,
                    "code": label,
                    "bytes": size,
                    "outcome": results[0]["outcome"],
                    "decoded": results[0]["decoded"],
                    "seconds": statistics.median(r["seconds"] for r in results),
                    "cpu": statistics.median(r["cpu"] for r in results),
                    "peak_mb": max(r["peak_mb"] for r in results),
                }
            )
        print(_format_rows(rows[-len(code_dirs) :]), flush=True)
    return rows


def _format_rows(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        accepted = row["outcome"] == "200"
        # A refusal must be cheap too: it is the worker's time whatever the answer.
        over = row["cpu"] > TIME_BOUND_S or (accepted and row["seconds"] > TIME_BOUND_S)
        over = over or row["peak_mb"] > MEMORY_BOUND_MB or row["outcome"].startswith("STOPPED")
        lines.append(
            f"{row['case'][:34]:34} {row['code'][:8]:8} {row['bytes']:>9,} B  {row['outcome'][:24]:24} "
            f"{row['seconds'] * 1000:8.0f} ms {row['cpu'] * 1000:8.0f} ms {row['peak_mb']:8.0f} MB  "
            f"{'OVER' if over else ''}"
        )
    return "\n".join(lines)


# -- part 2: contention through the real model server -----------------------------------------------------------


def model_server_workers() -> int:
    """What multi-model-server will run: SAGEMAKER_MODEL_SERVER_WORKERS, else one worker per vCPU."""
    requested = os.environ.get("SAGEMAKER_MODEL_SERVER_WORKERS", "").strip()
    return int(requested) if requested.isdigit() and int(requested) > 0 else os.cpu_count() or 1


def contention(seconds: float, model_dir: Path | None, attack_case: str, work: Path, code_dir: Path) -> None:
    if model_dir is None:
        from demo.vit_base_384 import write_vit_base_384

        model_dir = work / "vit-base-384"
        if not (model_dir / "config.json").exists():
            write_vit_base_384(model_dir)
    serve_dir = work / "serve-model"
    if serve_dir.exists():
        subprocess.run(["rm", "-rf", str(serve_dir)], check=True)
    serve_dir.mkdir()
    for entry in model_dir.iterdir():
        if entry.name != "code":
            (serve_dir / entry.name).symlink_to(entry.resolve())
    (serve_dir / "code").symlink_to(code_dir.resolve(), target_is_directory=True)

    port = 20000 + os.getpid() % 10000
    env = {**os.environ, "MODEL_DIR": str(serve_dir), "ENDPOINT_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, str(MODEL_ROOT.parent / "local" / "endpoint" / "serve.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in server.stdout:  # type: ignore[union-attr]
            if line.startswith("LOCAL_ENDPOINT_READY"):
                break
        else:
            raise RuntimeError("the local endpoint did not start")
        url = f"http://127.0.0.1:{port}/invocations"
        good, bad = photo_640(), CASES[attack_case]()

        def client(body: bytes, stop_at: float, counts: list[int], latencies: list[float]) -> None:
            while time.monotonic() < stop_at:
                request = urllib.request.Request(url, data=body, headers={"Content-Type": "image/jpeg"}, method="POST")
                sent = time.monotonic()
                try:
                    with urllib.request.urlopen(request, timeout=120) as answer:
                        answer.read()
                        counts[0] += 1
                except Exception:  # noqa: BLE001 - a refused image (4xx) still cost the worker its decode
                    counts[1] += 1
                latencies.append(time.monotonic() - sent)

        def phase(kind: str) -> tuple[int, float]:
            stop_at = time.monotonic() + seconds / 2
            good_counts, bad_counts = [0, 0], [0, 0]
            good_latencies: list[float] = []
            threads = [threading.Thread(target=client, args=(good, stop_at, good_counts, good_latencies))]
            if kind != "alone":
                others = bad if kind == "attacked" else good
                threads += [threading.Thread(target=client, args=(others, stop_at, bad_counts, [])) for _ in range(2)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            label = {
                "alone": "alone",
                "shared": "+ 2 clients sending photos",
                "attacked": f"+ 2 clients sending {attack_case!r}",
            }[kind]
            print(
                f"  good client {label}: {good_counts[0]} answers ({good_counts[1]} errors) = "
                f"{good_counts[0] / elapsed:.2f} req/s, slowest {max(good_latencies, default=0):.1f} s, "
                f"{sum(latency > INVOKE_BUDGET_S for latency in good_latencies)} over {INVOKE_BUDGET_S:.0f} s"
                + (f"; their requests served: {bad_counts[0] + bad_counts[1]}" if kind != "alone" else "")
                + f" (load average {os.getloadavg()[0]:.2f})",
                flush=True,
            )
            return good_counts[0], elapsed

        # Interleaved halves, so load from other jobs hits every phase alike. "shared": two other clients sending
        # ordinary photos, the fair share of two workers among three clients, without any expensive image.
        totals = {kind: [0, 0.0] for kind in ("alone", "shared", "attacked")}
        for kind in ("alone", "shared", "attacked") * 2:
            answers, elapsed = phase(kind)
            totals[kind][0] += answers
            totals[kind][1] += elapsed
        alone, shared, attacked = (totals[k][0] / totals[k][1] for k in ("alone", "shared", "attacked"))
        print(
            f"  good throughput under attack: {attacked:.2f} req/s = {attacked / alone:.2f}x of alone ({alone:.2f}; "
            f"bound: at least 0.50x), {attacked / shared:.2f}x of sharing with two ordinary clients ({shared:.2f})"
        )
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="case names (substrings) to run")
    parser.add_argument("--baseline-code", type=Path, help="another model/code folder to measure beside this one")
    parser.add_argument("--contention", type=float, default=0, help="seconds per contention phase (0: skip)")
    parser.add_argument(
        "--contention-model",
        type=Path,
        help="model folder for the contention phases (default: ViT-B/16-384 layout, random weights)",
    )
    parser.add_argument("--attack", default="PNG 16-bit RGBA 4330x2886", help="case the attacking clients send")
    parser.add_argument(
        "--cpu-limit", type=float, default=120.0, help="CPU seconds after which a case is stopped (marked STOPPED)"
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure_one(args.measure, args.cpu_limit)))
        return 0

    print(machine_line())
    code_dirs = {"current": CODE_DIR}
    if args.baseline_code:
        code_dirs["baseline"] = args.baseline_code.resolve()
    cases = [name for name in CASES if not args.only or any(part.lower() in name.lower() for part in args.only)]
    if REFERENCE not in cases:
        cases.insert(0, REFERENCE)
    with tempfile.TemporaryDirectory(prefix="bench-image-cost-") as tmp:
        work = Path(tmp)
        print(
            f"\n== cost per image: decode + ViT-384 preprocessing in a fresh worker process, median of {args.repeat} =="
        )
        print(f"{'case':34} {'code':8} {'body':>11}  {'answer':24} {'time':>11} {'CPU':>11} {'peak':>11}")
        rows = cost_table(cases, args.repeat, code_dirs, work, args.cpu_limit)
        for label in code_dirs:
            accepted = [r for r in rows if r["code"] == label and r["outcome"] == "200" and r["case"] != REFERENCE]
            if accepted:
                slowest = max(accepted, key=lambda r: r["seconds"])
                biggest = max(accepted, key=lambda r: r["peak_mb"])
                reference = next(r for r in rows if r["code"] == label and r["case"] == REFERENCE)
                print(
                    f"\n{label}: worst accepted time {slowest['seconds'] * 1000:.0f} ms ({slowest['case']}; "
                    f"{slowest['seconds'] / reference['seconds']:.0f}x the reference photo), worst peak "
                    f"{biggest['peak_mb']:.0f} MB ({biggest['case']}); "
                    f"bounds {TIME_BOUND_S * 1000:.0f} ms, {MEMORY_BOUND_MB:.0f} MB"
                )
        if args.contention:
            for label, code_dir in code_dirs.items():
                print(
                    f"\n== contention ({label} code): {args.contention:.0f} s per phase, "
                    f"local endpoint (multi-model-server, {model_server_workers()} workers) =="
                )
                contention(args.contention, args.contention_model, args.attack, work, code_dir)
        print("\n" + machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
