"""The local endpoint's configuration: read from the environment in one place, validated, every problem at once."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Same rule as InvokeEndpoint's EndpointName (botocore sagemaker-runtime model): <= 63 chars, alnum joined by '-'.
_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
# SAGEMAKER_MODEL_SERVER_WORKERS' range, as the container and the stack enforce it (the container's settings table).
_SERVING_TABLE = Path(__file__).resolve().parents[2] / "model" / "code" / "serving_settings.json"
_WORKERS = json.loads(_SERVING_TABLE.read_text())["settings"]["workers"]


class SettingsError(ValueError):
    """Raised with every configuration problem listed, so one run shows them all."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid local endpoint settings:\n  - " + "\n  - ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    model_path: Path
    """MODEL_DIR: a Hugging Face model folder or a SageMaker model.tar.gz."""
    port: int
    """ENDPOINT_PORT: where the runtime front listens (127.0.0.1 only). @default 8080"""
    endpoint_name: str
    """ENDPOINT_NAME: the only name /endpoints/{name}/invocations accepts. @default local-vit"""
    workers: int | None
    """SAGEMAKER_MODEL_SERVER_WORKERS as in the container; None lets MMS pick (one per CPU)."""
    container_timeout_s: float
    """How long the front waits for the container, like SageMaker's 60 s /invocations limit. @default 60"""
    test_delay_ms: int
    """LOCAL_ENDPOINT_TEST_DELAY_MS: TEST-ONLY extra latency before each invocation (fault tests). @default 0"""
    startup_timeout_s: float
    """LOCAL_ENDPOINT_STARTUP_TIMEOUT_S: how long to wait for MMS to load the model and answer /ping. @default 240

    Shorter than SageMaker's start-up health check (the stack's endpoint.instance.startupHealthCheckTimeoutSeconds,
    600 s by default), which also covers downloading the model: here the model is already on disk."""


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    problems: list[str] = []

    raw_model = env.get("MODEL_DIR", "").strip()
    model_path = Path(raw_model).expanduser().resolve() if raw_model else Path()
    if not raw_model:
        problems.append("MODEL_DIR is not set (a model folder or a model.tar.gz)")
    elif not model_path.exists():
        problems.append(f"MODEL_DIR {raw_model!r} does not exist")
    elif model_path.is_file() and not model_path.name.endswith((".tar.gz", ".tgz")):
        problems.append(f"MODEL_DIR {raw_model!r} is a file but not a .tar.gz")

    port = _int(env, "ENDPOINT_PORT", 8080, 1, 65535, problems)

    endpoint_name = env.get("ENDPOINT_NAME", "local-vit").strip()
    if len(endpoint_name) > 63 or not _ENDPOINT_NAME.match(endpoint_name):
        problems.append(f"ENDPOINT_NAME {endpoint_name!r} is not a valid SageMaker endpoint name")

    workers = None
    if env.get("SAGEMAKER_MODEL_SERVER_WORKERS", "").strip():
        workers = _int(env, "SAGEMAKER_MODEL_SERVER_WORKERS", 1, _WORKERS["min"], _WORKERS["max"], problems)

    container_timeout_s = float(_int(env, "LOCAL_ENDPOINT_CONTAINER_TIMEOUT_S", 60, 1, 3600, problems))
    test_delay_ms = _int(env, "LOCAL_ENDPOINT_TEST_DELAY_MS", 0, 0, 600_000, problems)
    startup_timeout_s = float(_int(env, "LOCAL_ENDPOINT_STARTUP_TIMEOUT_S", 240, 5, 3600, problems))

    if problems:
        raise SettingsError(problems)
    return Settings(model_path, port, endpoint_name, workers, container_timeout_s, test_delay_ms, startup_timeout_s)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int, problems: list[str]) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name} must be an integer, got {raw!r}")
        return default
    if not low <= value <= high:
        problems.append(f"{name} must be between {low} and {high}, got {value}")
    return value
