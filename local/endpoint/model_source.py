"""Turns MODEL_DIR into the folder layout SageMaker gives the container in /opt/ml/model.

- a model.tar.gz is unpacked (as SageMaker does with ModelDataUrl) and used with its own code/;
- a plain Hugging Face folder (e.g. the demo model or a google/vit-base-patch16-384 clone) has no code/, so the
  repository's model/code is linked in beside its files: the same layout package_model.py builds, without packing.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

REPO_CODE_DIR = Path(__file__).resolve().parents[2] / "model" / "code"


class ModelSourceError(ValueError):
    pass


def resolve_model_dir(model_path: Path, scratch: Path, code_dir: Path = REPO_CODE_DIR) -> Path:
    """Returns the folder to serve, building it under `scratch` when needed."""
    if model_path.is_dir():
        folder = (
            model_path if (model_path / "code" / "inference.py").is_file() else _overlay(model_path, scratch, code_dir)
        )
    else:
        folder = scratch / "model"
        folder.mkdir(parents=True)
        try:
            with tarfile.open(model_path, "r:gz") as archive:
                # The 'data' filter refuses absolute paths, '..', links leaving the folder and device files.
                archive.extractall(folder, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise ModelSourceError(f"cannot unpack {model_path}: {error}") from error
    missing = [name for name in ("config.json", "code/inference.py") if not (folder / name).is_file()]
    if missing:
        raise ModelSourceError(
            f"{folder} is not a servable model: missing {', '.join(missing)} "
            "(a model folder needs config.json; code/inference.py comes from the tarball or model/code)"
        )
    return folder


def _overlay(model_folder: Path, scratch: Path, code_dir: Path) -> Path:
    """Links the model's files and model/code into one folder, so nothing is copied and edits show up on restart."""
    if not (code_dir / "inference.py").is_file():
        raise ModelSourceError(f"{code_dir}/inference.py not found: the inference code is needed beside the model")
    folder = scratch / "model"
    folder.mkdir(parents=True)
    for entry in model_folder.iterdir():
        if entry.name != "code":
            (folder / entry.name).symlink_to(entry.resolve())
    (folder / "code").symlink_to(code_dir.resolve(), target_is_directory=True)
    return folder
