"""Through the real model server: a request that outlives its time limit frees its worker for the next one.

The local endpoint (multi-model-server, two workers, as on a 2-vCPU instance) serves model/code with the pre-scan
switched off and Pillow's own orientation path put back, the state in which two such pictures kept both workers
busy for over a minute (the model server's own 60 s timeout does not stop a worker) and every ordinary request
behind them waited. With INFERENCE_DEADLINE_MS=2000 both are answered 413 at about 2 s and an ordinary request sent
while they run is answered soon after, not a minute later.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostile_images import metadata as hostile

MODEL_ROOT = Path(__file__).resolve().parents[3] / "model"

DEADLINE_MS = 2000
# What the code loads instead of model/code/inference.py: the same handlers with the pre-scan's work undone.
PRESCAN_OFF = '''"""Test-only: model/code's handlers as they were before the pre-scan (test_worker_deadline_http.py)."""
from PIL import ImageOps

import serving_image
from serving_prescan import Prescanned

serving_image.prescan = lambda _fmt, data: Prescanned(data)
serving_image.upright = lambda image, _orientation: ImageOps.exif_transpose(image)

from handlers import input_fn, model_fn, output_fn, predict_fn  # noqa: E402, F401
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Prepare: the demo model's files beside a copy of model/code whose inference.py switches the pre-scan off
    demo = MODEL_ROOT / ".cache" / "demo-model"
    if not (demo / "config.json").exists():
        # model/ and model/code on PYTHONPATH, as package.json's model:demo runs it
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(MODEL_ROOT), str(MODEL_ROOT / "code")])}
        subprocess.run(
            [sys.executable, str(MODEL_ROOT / "scripts" / "demo_model.py"), "--out", str(demo)], check=True, env=env
        )
    model_dir = tmp_path_factory.mktemp("prescan-off-model")
    for entry in demo.iterdir():
        if entry.name != "code":
            (model_dir / entry.name).symlink_to(entry.resolve())
    code = model_dir / "code"
    shutil.copytree(MODEL_ROOT / "code", code, ignore=shutil.ignore_patterns("__pycache__"))
    (code / "inference.py").rename(code / "handlers.py")
    (code / "inference.py").write_text(PRESCAN_OFF)
    port = free_port()
    env = {
        **os.environ,
        "MODEL_DIR": str(model_dir),
        "ENDPOINT_PORT": str(port),
        "SAGEMAKER_MODEL_SERVER_WORKERS": "2",
        "INFERENCE_DEADLINE_MS": str(DEADLINE_MS),
        "PYTHONUNBUFFERED": "1",
        "LOCAL_STOP_WITH_PARENT": "1",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-W",
            "ignore::DeprecationWarning",
            str(MODEL_ROOT.parent / "local" / "endpoint" / "serve.py"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("LOCAL_ENDPOINT_READY"):
                break
        else:
            pytest.fail("the local endpoint did not start")
        yield f"http://127.0.0.1:{port}/invocations"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)


def invoke(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, object], float]:
    """(status, JSON body, seconds) of one request to the container contract route."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=180) as answer:
            status, data = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, data = error.code, error.read()
    return status, json.loads(data), time.monotonic() - started


def test_two_costly_requests_no_longer_hold_both_workers_past_their_deadline(endpoint: str):
    # Prepare: the two costliest pictures of the red-team round (each kept a worker busy for over a minute)
    costly = [
        (hostile.with_exif("JPEG", hostile.exif_block(2000, 32 * 1024, orientation=6)), "image/jpeg"),
        (hostile.gif_comment_flood(1_500_000), "image/gif"),
    ]
    ordinary = hostile.encode(hostile.small_picture(), "PNG")
    assert invoke(endpoint, ordinary, "image/png")[0] == 200  # both workers warm
    answers: list[tuple[int, dict[str, object], float]] = []
    threads = [threading.Thread(target=lambda b=b, t=t: answers.append(invoke(endpoint, b, t))) for b, t in costly]
    # Act: both workers take a costly request; an ordinary one queues behind them
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    status, _, waited = invoke(endpoint, ordinary, "image/png")
    for thread in threads:
        thread.join()
    # Assess: the costly ones refused at the limit; the ordinary one served once a worker was free (before the
    # deadline existed it waited for a worker to finish: over a minute)
    seen = [(s, body.get("code"), str(body.get("message"))[:120], f"{seconds:.1f} s") for s, body, seconds in answers]
    assert sorted(str(code) for _, code, _, _ in seen) == ["image_too_large"] * 2, seen
    assert all(s == 413 and f"time limit per request ({DEADLINE_MS} ms)" in message for s, _, message, _ in seen), seen
    assert (status, waited < 30) == (200, True), f"the ordinary request got {status} after {waited:.1f} s"
