"""Is the tarball for these exact inputs already built? Then packaging (about 16 s of gzip for ViT-B/16-384's 347 MB
on 2 cores) is skipped, so `npm run synth` with a Hub model costs seconds once it is built.

The stamp records a fingerprint of everything that goes into the tarball (each model file's Hub hash, each code
file's bytes, this packager's own source) with the tarball's sha256; the tarball is reused only while both match.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from hub.listing import RemoteFile

BLOCK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(model_files: list[RemoteFile], code: list[Path], packager: list[Path]) -> str:
    inputs = {
        "model": sorted([f.name, f.sha256 or f.blob_id, f.size] for f in model_files),
        "code": sorted([path.name, file_sha256(path)] for path in code),
        "packager": sorted([path.name, file_sha256(path)] for path in packager),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def reusable(stamp: Path, out: Path, inputs: str) -> tuple[int, str] | None:
    """(size, sha256) of `out` when the stamp says it was built from `inputs` and it is still those bytes."""
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded["out"] != str(out.resolve()) or recorded["inputs"] != inputs or not out.is_file():
            return None
        if out.stat().st_size != recorded["size"] or file_sha256(out) != recorded["sha256"]:
            return None
        return int(recorded["size"]), str(recorded["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(stamp: Path, out: Path, inputs: str, size: int, sha256: str) -> None:
    stamp.parent.mkdir(parents=True, exist_ok=True)
    body = {"out": str(out.resolve()), "inputs": inputs, "size": size, "sha256": sha256}
    stamp.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
