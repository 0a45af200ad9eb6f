"""Model ids, commit shas, and where a packaged Hub model lives in the project's cache.

The tarball's path is a pure function of id and commit, so the stack config (`modelArtifact.huggingFace`, resolved in
src/config without running anything) and this packager agree on it without talking to each other:

    model/.cache/huggingface/<org>--<name>/<commit sha>/model.tar.gz

("--" cannot occur in a Hub id, so the folder name is unambiguous.)
"""

from __future__ import annotations

import re
from pathlib import Path

from huggingface_hub.errors import HFValidationError

# Documented as huggingface_hub.utils.validate_repo_id; the package re-exports it without listing it in __all__.
from huggingface_hub.utils import validate_repo_id  # type: ignore[attr-defined]

MODEL_ROOT = Path(__file__).resolve().parents[1]
ARTIFACT_ROOT = MODEL_ROOT / ".cache" / "huggingface"
TARBALL = "model.tar.gz"

COMMIT_SHA = re.compile(r"[0-9a-f]{40}")


def is_commit_sha(revision: str) -> bool:
    """A full commit id: the one revision form that always means the same files."""
    return COMMIT_SHA.fullmatch(revision) is not None


def repo_id_problem(repo_id: str) -> str | None:
    """Why `repo_id` cannot be a model id on the Hub (huggingface_hub's own rule), or None."""
    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        return str(error)
    return None


def artifact_dir(repo_id: str, sha: str, root: Path = ARTIFACT_ROOT) -> Path:
    return root / repo_id.replace("/", "--") / sha


def default_tarball(repo_id: str, sha: str, root: Path = ARTIFACT_ROOT) -> Path:
    return artifact_dir(repo_id, sha, root) / TARBALL


def short(sha: str) -> str:
    return sha[:12]
