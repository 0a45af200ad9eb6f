"""sample_images.py writes labelled images that the demo model classifies as their file names say."""

from __future__ import annotations

import json
import subprocess
import sys

import inference
from conftest import MODEL_ROOT, SCRIPT_ENV, mms_context
from demo import shapes


def test_sample_images_are_labelled_and_classified_correctly(loaded_model, tmp_path):
    result = subprocess.run(
        [sys.executable, str(MODEL_ROOT / "scripts" / "sample_images.py"), "--out", str(tmp_path), "--per-class", "4"],
        capture_output=True,
        text=True,
        check=True,
        env=SCRIPT_ENV,
    )
    paths = sorted(tmp_path.iterdir())
    assert len(paths) == len(shapes.LABELS) * 4 * 2
    assert len(result.stdout.splitlines()) == len(paths)
    for path in paths:
        label = path.name.split("-")[0]
        context = mms_context("top_k=1")
        content_type = "image/jpeg" if path.suffix == ".jpg" else "image/png"
        request = inference.input_fn(path.read_bytes(), content_type, context)
        body = json.loads(inference.output_fn(inference.predict_fn(request, loaded_model, context), "", context))
        assert body["predictions"][0]["label"] == label, path.name
