"""Checks that a folder is a Hugging Face image classifier we can serve; lists every problem at once.

Used by model_fn (clear failure at endpoint start) and by the packaging script (refuse to build a tarball).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONFIG = "config.json"
PREPROCESSOR = "preprocessor_config.json"
WEIGHTS = ("model.safetensors", "pytorch_model.bin")  # in order of preference: safetensors loads without pickle


class ModelFolderError(ValueError):
    pass


def weights_file(model_dir: Path) -> Path | None:
    for name in WEIGHTS:
        if (model_dir / name).is_file():
            return model_dir / name
    return None


def _read_json(path: Path, problems: list[str]) -> dict[str, Any] | None:
    if not path.is_file():
        problems.append(f"{path.name} is missing")
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(f"{path.name} is not valid JSON ({error})")
        return None
    if not isinstance(value, dict):
        problems.append(f"{path.name} must hold a JSON object")
        return None
    return value


def _classifier_problems(config: dict[str, Any]) -> list[str]:
    # Decided from config.json alone (no transformers import: packaging stays fast and torch-free).
    problems = []
    architectures = config.get("architectures") or []
    if not any("ForImageClassification" in str(name) for name in architectures):
        problems.append(
            f"config.json architectures {architectures} is not an image classifier "
            "(expected e.g. ViTForImageClassification)"
        )
    if not config.get("model_type"):
        problems.append("config.json has no model_type")
    labels = config.get("id2label")
    if not isinstance(labels, dict) or len(labels) < 2:
        problems.append("config.json has no id2label mapping with at least 2 labels")
    elif sorted(labels, key=lambda key: int(key) if str(key).isdigit() else -1) != [str(i) for i in range(len(labels))]:
        problems.append("config.json id2label keys must be 0..N-1")
    elif all(str(label) == f"LABEL_{key}" for key, label in labels.items()):
        problems.append("config.json id2label only has placeholder names (LABEL_0, ...)")
    return problems


def folder_problems(model_dir: str | Path) -> list[str]:
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return [f"{model_dir} is not a directory"]
    problems: list[str] = []
    config = _read_json(model_dir / CONFIG, problems)
    _read_json(model_dir / PREPROCESSOR, problems)
    if weights_file(model_dir) is None:
        sharded = any(model_dir.glob("*.index.json"))
        problems.append(
            "weights are sharded; save them as one model.safetensors"
            if sharded
            else f"no weights file: expected {' or '.join(WEIGHTS)}"
        )
    if config is not None:
        problems.extend(_classifier_problems(config))
    return problems


def check_folder(model_dir: str | Path) -> None:
    problems = folder_problems(model_dir)
    if problems:
        raise ModelFolderError(f"{model_dir} is not a servable image classifier: " + "; ".join(problems))
