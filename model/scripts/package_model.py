"""Build the SageMaker model.tar.gz from a Hugging Face image classifier, byte-for-byte reproducibly.

Usage: npm run model:package -- <hf-model-dir> [out.tar.gz]
       npm run model:package -- <org/name on the Hub> [--revision <sha|branch|tag>] [out.tar.gz]

A Hub model is downloaded (only what inference needs, verified against the Hub's hashes: model/hub/) at one commit
into the Hugging Face cache; its tarball goes to model/.cache/huggingface/<org>--<name>/<sha>/model.tar.gz unless
`out` is given, which is where `modelArtifact.huggingFace` in the stack config expects it.

The tarball holds exactly: config.json, preprocessor_config.json, the weights (model.safetensors if present, else
model.safetensors.index.json with its shards, else pytorch_model.bin), code/inference.py with its helper modules,
their data (serving_settings.json) and code/requirements.txt. Same inputs give the same bytes (sorted entries, fixed
mtime, uid/gid 0, empty owner names, gzip header without name or time), so the stack's content hash changes, and the
endpoint redeploys, only when the model or code really changed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import tarfile
import tempfile
from pathlib import Path

from hub import stamp
from hub.errors import HubError
from hub.fetch import FetchedModel, fetch_model
from hub.names import artifact_dir, default_tarball, repo_id_problem
from model_folder import CONFIG, PREPROCESSOR, folder_problems, weights_files

MODEL_ROOT = Path(__file__).resolve().parents[1]
CODE_DIR = MODEL_ROOT / "code"

DEFAULT_OUT = MODEL_ROOT / ".cache" / "model.tar.gz"
FIXED_MTIME = 0
GZIP_LEVEL = 6  # weights barely compress; higher levels only cost time


def code_files(code_dir: Path = CODE_DIR) -> list[Path]:
    """inference.py, its helper modules, their data files and requirements.txt; never caches or test leftovers."""
    files = [*sorted([*code_dir.glob("*.py"), *code_dir.glob("*.json")]), code_dir / "requirements.txt"]
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


def shown(path: Path) -> str:
    """`path` relative to the working directory when it is inside it (npm runs scripts from the repository root)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def report(out: Path, size: int, sha256: str) -> None:
    print(f"wrote {shown(out)}")
    print(f"size {size} bytes ({size / 1e6:.1f} MB)")
    print(f"sha256 {sha256}")


def package_folder(model_dir: Path, out: Path) -> int:
    problems = folder_problems(model_dir)
    if problems:
        print(f"error: {model_dir} cannot be packaged:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    report(out, *build(model_dir, out))
    return 0


def package_hub_model(repo_id: str, revision: str, out: Path | None) -> int:
    try:
        fetched = fetch_model(repo_id, revision, log=lambda line: print(line, file=sys.stderr, flush=True))
    except HubError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # the local disk: full, read-only, no permission on the cache folder
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; run the same command again to resume the download", file=sys.stderr)
        return 130
    problems = folder_problems(fetched.folder)  # the checks model_fn makes when the endpoint starts
    if problems:
        print(f"error: {repo_id}@{fetched.sha[:12]} cannot be served: {'; '.join(problems)}", file=sys.stderr)
        return 2
    default = default_tarball(repo_id, fetched.sha)
    target = out if out is not None else default
    report(target, *_build_once(fetched, target))
    # Where the stack config's modelArtifact.huggingFace looks (npm run synth passes that path explicitly).
    _say_how_to_use(fetched, target, default_location=target.resolve() == default.resolve())
    return 0


def _build_once(fetched: FetchedModel, out: Path) -> tuple[int, str]:
    """Build `out`, unless the same inputs built it before and it is unchanged (gzip of 350 MB takes a while)."""
    inputs = stamp.fingerprint(fetched.files, code_files(), [Path(__file__)])
    record = artifact_dir(fetched.repo_id, fetched.sha) / "build.json"
    built = stamp.reusable(record, out, inputs)
    if built is not None:
        print(f"{shown(out)} is up to date (same model files, code and packager)", file=sys.stderr)
        return built
    size, sha256 = build(fetched.folder, out)
    stamp.record(record, out, inputs, size, sha256)
    return size, sha256


def _say_how_to_use(fetched: FetchedModel, out: Path, default_location: bool) -> None:
    print(f"model {fetched.repo_id} at commit {fetched.sha} ({fetched.total_bytes / 1e6:.1f} MB downloaded or cached)")
    if not fetched.pinned:
        print(
            f"{fetched.revision!r} moves when the repository changes; pin this commit to get the same bytes every "
            f"time:\n  npm run model:package -- {fetched.repo_id} --revision {fetched.sha}"
        )
    setting: dict[str, object]
    if default_location:
        setting = {"huggingFace": {"id": fetched.repo_id, "revision": fetched.sha}}
    else:
        setting = {"path": shown(out)}
    print(f'to deploy it, in classifier.config.json:\n  "modelArtifact": {json.dumps(setting)}')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source", help="a Hugging Face image-classification folder, or a model id on the Hub (org/name)"
    )
    parser.add_argument(
        "out",
        type=Path,
        nargs="?",
        help=f"output (default: {DEFAULT_OUT} for a folder, "
        "model/.cache/huggingface/<org>--<name>/<sha>/model.tar.gz for a Hub model)",
    )
    parser.add_argument("--revision", help="Hub models only: a commit sha (pinned), branch or tag (default: main)")
    args = parser.parse_intermixed_args(argv)  # the output path may come before or after --revision

    folder = Path(args.source)
    id_problem = repo_id_problem(args.source)
    if folder.is_dir() or id_problem is not None:
        if args.revision is not None:
            what = "a local folder" if folder.is_dir() else f"not a Hub model id ({id_problem})"
            print(f"error: --revision applies to a Hub model id; {folder} is {what}", file=sys.stderr)
            return 2
        return package_folder(folder, args.out or DEFAULT_OUT)  # one that does not exist: "... is not a directory"
    return package_hub_model(args.source, args.revision or "main", args.out)


if __name__ == "__main__":
    sys.exit(main())
