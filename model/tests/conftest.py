"""Shared fixtures: the demo model (trained once, then cached), encoders and toolkit contexts."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

MODEL_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = MODEL_ROOT.parent

DEMO_MODEL_DIR = MODEL_ROOT / ".cache" / "demo-model"
# The environment model/'s scripts run in when a test starts one: model/ and model/code on PYTHONPATH, as package.json's
# model:* scripts set it (pytest's own `pythonpath` setting reaches this process only, not the ones it starts).
SCRIPT_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(MODEL_ROOT), str(MODEL_ROOT / "code")])}


@pytest.fixture(scope="session")
def demo_model_dir() -> Path:
    """The cached demo model; trained through the real CLI the first time (the CLI reuses a matching cache)."""
    result = subprocess.run(
        [sys.executable, str(MODEL_ROOT / "scripts" / "demo_model.py"), "--out", str(DEMO_MODEL_DIR)],
        capture_output=True,
        text=True,
        check=False,
        env=SCRIPT_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(DEMO_MODEL_DIR)
    return DEMO_MODEL_DIR


@pytest.fixture(scope="session")
def loaded_model(demo_model_dir):
    import inference

    return inference.model_fn(str(demo_model_dir))


def encode(image: Image.Image, fmt: str, **save_args) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_args)
    return buffer.getvalue()


def mms_context(custom_attributes: str | None = None, model_dir: Path | str = "/opt/ml/model"):
    """A real multi-model-server Context for one request, as the model server builds it."""
    from mms.context import Context, RequestProcessor

    headers = {"Content-Type": "image/jpeg"}
    if custom_attributes is not None:
        headers["X-Amzn-SageMaker-Custom-Attributes"] = custom_attributes
    context = Context("model", str(model_dir), None, 1, None, "1.1.11")
    context.request_processor = [RequestProcessor(headers)]
    return context


def extracted_answer(extracted: Path) -> dict:
    """The classification of one red picture by model_fn loading `extracted` in a fresh process (its own code/)."""
    if not (extracted / "code").is_dir():
        shutil.copytree(MODEL_ROOT / "code", extracted / "code", ignore=shutil.ignore_patterns("__pycache__"))
    probe = (
        "import sys, io; import inference; "
        "from PIL import Image; b = io.BytesIO(); Image.new('RGB', (50, 50), (220, 10, 10)).save(b, 'PNG'); "
        "m = inference.model_fn(sys.argv[1]); "
        "print(inference.output_fn(inference.predict_fn(inference.input_fn(b.getvalue(), 'image/png'), m), "
        "'application/json'))"
    )
    # The tarball's own code/ on the path, as the toolkit puts it there (not this checkout's model/code).
    env = {**os.environ, "PYTHONPATH": str(extracted / "code")}
    result = subprocess.run(
        [sys.executable, "-c", probe, str(extracted)],
        capture_output=True,
        text=True,
        check=False,
        cwd=extracted,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
