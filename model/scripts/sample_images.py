"""Write a few demo-class images (JPEG and PNG) for curl and end-to-end tests.

Usage: PYTHONPATH=model:model/code .venv/bin/python model/scripts/sample_images.py --out DIR [--per-class N]
File names start with the class label, e.g. red_disc-0.jpg, so a caller can check the top prediction. The images
are plain, typical examples (centred shape, gray background) in a few sizes: any working deployment of the demo
model labels every one of them correctly, which makes them safe to assert on in end-to-end tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from demo import shapes
from demo.examples import render_canonical

SIZES = ((320, 240), (200, 260), (640, 480), (96, 96))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-class", type=int, default=1, help="images per class and format (default 1)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for label_index, label in enumerate(shapes.LABELS):
        for n in range(args.per_class):
            size = SIZES[n % len(SIZES)]
            for extension, save_args in (("jpg", {"format": "JPEG", "quality": 90}), ("png", {"format": "PNG"})):
                path = args.out / f"{label}-{n}.{extension}"
                render_canonical(label_index, size).save(path, **save_args)
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
