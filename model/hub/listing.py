"""The Hub's list of files at one commit, with the sizes and hashes every download is checked against.

Asked once per commit (`/api/models/{id}/revision/{revision}?blobs=true`) and saved beside the packaged tarball: a
commit never changes, so a later run at the same sha reads the saved list and, with the files in the Hugging Face
cache, packages without any network.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from huggingface_hub import HfApi, constants

from hub.errors import HubError, endpoint


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    sha256: str | None  # LFS files (weights): the sha256 of the content
    blob_id: str | None  # every file: its git object id (for an LFS file, that of its pointer)

    @property
    def shown_size(self) -> str:
        if self.size >= 1e6:
            return f"{self.size / 1e6:.1f} MB"
        return f"{self.size / 1e3:.1f} kB" if self.size >= 1e3 else f"{self.size} bytes"


@dataclass(frozen=True)
class Listing:
    repo_id: str
    sha: str
    files: dict[str, RemoteFile]


def fetch_listing(repo_id: str, revision: str) -> Listing:
    """Ask the Hub; raises what huggingface_hub raises (errors.explain turns it into a message)."""
    info = HfApi().model_info(repo_id, revision=revision, files_metadata=True, timeout=constants.HF_HUB_ETAG_TIMEOUT)
    if info.sha is None or info.siblings is None:
        raise HubError(f"{endpoint()} answered without a commit or file list for {repo_id}@{revision}")
    files = {
        sibling.rfilename: RemoteFile(
            name=sibling.rfilename,
            size=sibling.lfs.size if sibling.lfs else (sibling.size or 0),
            sha256=sibling.lfs.sha256 if sibling.lfs else None,
            blob_id=sibling.blob_id,
        )
        for sibling in info.siblings
    }
    return Listing(repo_id=repo_id, sha=info.sha, files=files)


def read_saved(path: Path, repo_id: str, sha: str) -> Listing | None:
    """The list a previous run saved for this exact commit, or None."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved["repo_id"] != repo_id or saved["sha"] != sha:
            return None
        files = {item["name"]: RemoteFile(**item) for item in saved["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Listing(repo_id=repo_id, sha=sha, files=files)


def save(path: Path, listing: Listing, names: list[str]) -> None:
    """Save the entries of `names` (the files packaged), atomically."""
    body = {
        "repo_id": listing.repo_id,
        "sha": listing.sha,
        "files": [asdict(listing.files[name]) for name in sorted(names)],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".files-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(body, out, indent=2)
        out.write("\n")
    Path(temp).replace(path)
