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
# Large checkpoints come in shards: this index maps every tensor to its shard file (transformers' own layout).
SAFETENSORS_INDEX = "model.safetensors.index.json"
PICKLE_INDEX = "pytorch_model.bin.index.json"


class ModelFolderError(ValueError):
    pass


def shard_names(index: object) -> list[str] | None:
    """The shard files a safetensors index names (sorted, each once), or None if it is not such an index."""
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
        return None
    names = {str(name) for name in weight_map.values()}
    # A shard must sit beside the index: no folders, no way out of the model directory.
    if any("/" in name or "\\" in name or not name.endswith(".safetensors") for name in names):
        return None
    return sorted(names)


def weights_files(model_dir: Path) -> list[Path] | None:
    """The weights to load and package, in order of preference: one model.safetensors; a safetensors index with every
    shard it names; pytorch_model.bin. None when the folder has none of them complete."""
    if (model_dir / WEIGHTS[0]).is_file():
        return [model_dir / WEIGHTS[0]]
    index = model_dir / SAFETENSORS_INDEX
    if index.is_file():
        try:
            shards = shard_names(json.loads(index.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            shards = None
        if shards and all((model_dir / name).is_file() for name in shards):
            return [index, *(model_dir / name for name in shards)]
    if (model_dir / WEIGHTS[1]).is_file():
        return [model_dir / WEIGHTS[1]]
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


def classifier_problems(config: dict[str, Any]) -> list[str]:
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


def _missing_weights_problem(model_dir: Path) -> str:
    index = model_dir / SAFETENSORS_INDEX
    if index.is_file():
        problems: list[str] = []
        value = _read_json(index, problems)
        shards = shard_names(value) if value is not None else None
        if shards is None:
            return problems[0] if problems else f"{SAFETENSORS_INDEX} has no weight_map of .safetensors shards"
        missing = [name for name in shards if not (model_dir / name).is_file()]
        return f"{SAFETENSORS_INDEX} names shards that are missing: {', '.join(missing)}"
    if (model_dir / PICKLE_INDEX).is_file():
        return (
            "weights are sharded pytorch_model-*.bin files; save them as safetensors (save_pretrained does by default)"
        )
    return f"no weights file: expected {WEIGHTS[0]}, {SAFETENSORS_INDEX} with its shards, or {WEIGHTS[1]}"


def folder_problems(model_dir: str | Path) -> list[str]:
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return [f"{model_dir} is not a directory"]
    problems: list[str] = []
    config = _read_json(model_dir / CONFIG, problems)
    _read_json(model_dir / PREPROCESSOR, problems)
    if weights_files(model_dir) is None:
        problems.append(_missing_weights_problem(model_dir))
    if config is not None:
        problems.extend(classifier_problems(config))
    return problems


def check_folder(model_dir: str | Path) -> None:
    problems = folder_problems(model_dir)
    if problems:
        raise ModelFolderError(f"{model_dir} is not a servable image classifier: " + "; ".join(problems))
