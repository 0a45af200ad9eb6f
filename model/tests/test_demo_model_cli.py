"""demo_model.py as a user's first run meets it: a time only when it trains, none when it reuses the cache."""

from __future__ import annotations

import subprocess
import sys

from conftest import MODEL_ROOT, SCRIPT_ENV


def test_a_cached_model_is_reused_with_one_line_and_no_training_time(demo_model_dir):
    result = subprocess.run(
        [sys.executable, str(MODEL_ROOT / "scripts" / "demo_model.py"), "--out", str(demo_model_dir), "--quiet"],
        capture_output=True,
        text=True,
        check=True,
        env=SCRIPT_ENV,
    )
    assert result.stdout.splitlines() == [str(demo_model_dir)]
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"demo model: {demo_model_dir} (cached")
    assert " s" not in lines[0]
    assert "time" not in lines[0]
