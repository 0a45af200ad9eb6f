"""Build the SageMaker model.tar.gz from a Hugging Face image-classification folder, byte-for-byte reproducibly.

Usage: .venv/bin/python model/scripts/package_model.py <hf-model-dir> [out.tar.gz]

The tarball holds exactly: config.json, preprocessor_config.json, the weights (model.safetensors if present, else
model.safetensors.index.json with its shards, else pytorch_model.bin), code/inference.py with its helper modules and
code/requirements.txt. Same inputs give the same bytes (sorted entries, fixed mtime, uid/gid 0, empty owner names,
gzip header without name or time), so the stack's content hash changes, and the endpoint redeploys, only when the
model or code really changed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "code"))

from model_folder import CONFIG, PREPROCESSOR, folder_problems, weights_files

MODEL_ROOT = Path(__file__).resolve().parents[1]
CODE_DIR = MODEL_ROOT / "code"

DEFAULT_OUT = MODEL_ROOT / ".cache" / "model.tar.gz"
FIXED_MTIME = 0
GZIP_LEVEL = 6  # weights barely compress; higher levels only cost time


def code_files(code_dir: Path = CODE_DIR) -> list[Path]:
    """inference.py, its helper modules and requirements.txt; never caches or test leftovers."""
    files = [*sorted(code_dir.glob("*.py")), code_dir / "requirements.txt"]
    missing = [path.name for path in files if not path.is_file()]
    if missing or not (code_dir / "inference.py").is_file():
        raise SystemExit(f"error: {code_dir} lacks {', '.join(missing) or 'inference.py'}")
    return files


def tar_members(model_dir: Path, code_dir: Path = CODE_DIR) -> list[tuple[str, Path | None]]:
    """(name in archive, source file) pairs, sorted by name; a None source is a directory."""
    weights = weights_files(model_dir)
    if weights is None:
        raise SystemExit(f"error: {model_dir} has no complete weights")
    members: list[tuple[str, Path | None]] = [
        (CONFIG, model_dir / CONFIG),
        (PREPROCESSOR, model_dir / PREPROCESSOR),
        *((path.name, path) for path in weights),
        ("code", None),
    ]
    members += [(f"code/{path.name}", path) for path in code_files(code_dir)]
    return sorted(members)


def _tar_info(name: str, source: Path | None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if source is None:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
    else:
        info.size, info.mode = source.stat().st_size, 0o644
    return info


def build(model_dir: Path, out: Path, code_dir: Path = CODE_DIR) -> tuple[int, str]:
    """Write the tarball atomically; return (size in bytes, sha256 hex)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".model-", suffix=".tar.gz", dir=out.parent)
    try:
        # filename="" and mtime=0 keep the gzip header free of the output name and build time.
        with (
            os.fdopen(handle, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as zipped,
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.USTAR_FORMAT) as tar,
        ):
            for name, source in tar_members(model_dir, code_dir):
                info = _tar_info(name, source)
                if source is None:
                    tar.addfile(info)
                else:
                    with source.open("rb") as data:
                        tar.addfile(info, data)
        Path(temp_name).replace(out)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    digest = hashlib.sha256()
    with out.open("rb") as built:
        for block in iter(lambda: built.read(1 << 20), b""):
            digest.update(block)
    return out.stat().st_size, digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path, help="Hugging Face image-classification folder")
    parser.add_argument("out", type=Path, nargs="?", default=DEFAULT_OUT, help=f"output (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)

    problems = folder_problems(args.model_dir)
    if problems:
        print(f"error: {args.model_dir} cannot be packaged:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    size, sha256 = build(args.model_dir, args.out)
    print(f"wrote {args.out}")
    print(f"size {size} bytes ({size / 1e6:.1f} MB)")
    print(f"sha256 {sha256}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
