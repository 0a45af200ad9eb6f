"""Writes freshly generated demo-class images for the end-to-end tests and the load test.

Usage: PYTHONPATH=model:model/code .venv/bin/python model/scripts/fresh_demo_images.py --out DIR [--per-class N]
       [--seed S]
Writes `<label>_<index>.jpg` and `<label>_<index>.png` (the same picture in both formats, so a format-specific
decoding bug shows up as a JPEG/PNG accuracy gap) and prints a JSON manifest as the last stdout line:
{"labels": [...], "images": [{"file", "label", "format"}, ...]}.
The default seed differs from the demo model's training (1) and held-out (2) seeds: these images are new to it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from demo import shapes

FORMATS: tuple[tuple[str, str, dict[str, int]], ...] = (("jpg", "JPEG", {"quality": 90}), ("png", "PNG", {}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-class", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    if args.per_class < 1:
        parser.error("--per-class must be at least 1")
    args.out.mkdir(parents=True, exist_ok=True)
    images = []
    for index, sample in enumerate(shapes.generate(args.per_class * len(shapes.LABELS), args.seed)):
        label = shapes.LABELS[sample.label]
        for extension, pillow_format, options in FORMATS:
            name = f"{label}_{index:03d}.{extension}"
            sample.image.save(args.out / name, pillow_format, **options)
            images.append({"file": str(args.out / name), "label": label, "format": extension})
    print(json.dumps({"labels": list(shapes.LABELS), "images": images}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
