"""A Hub model at one commit, made ready to package: what inference needs, downloaded in the order that fails fast.

1. The file list at the revision (from the Hub, or saved by an earlier run at the same commit sha): a branch or tag
   is resolved to its commit once, and every file is then fetched at that commit, so a push during the download
   cannot mix two versions.
2. Refusals decided from the list: no config / preprocessor config, weights only as a pickle, no PyTorch weights.
3. config.json (a few kB): a model that is not an image classifier is refused before any weights are fetched.
4. preprocessor_config.json, then the safetensors weights (for a sharded checkpoint, the index, then each shard).
Every file is checked against the Hub's sizes and hashes (download.py) before the list is saved for later runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hub import listing as listings
from hub.download import download
from hub.errors import HubError, endpoint, explain
from hub.listing import Listing, RemoteFile
from hub.names import artifact_dir, is_commit_sha, short
from hub.selection import (
    PickleOnlyError,
    describe,
    has_safetensors,
    metadata_files,
    missing_shards,
    weights_entry,
)
from model_folder import CONFIG, PREPROCESSOR, SAFETENSORS_INDEX, classifier_problems, shard_names

SAVED_LISTING = "files.json"


@dataclass(frozen=True)
class FetchedModel:
    repo_id: str
    revision: str  # as asked (a branch, tag or commit sha)
    sha: str  # the commit it is
    folder: Path  # the Hugging Face cache's snapshot folder of that commit
    files: list[RemoteFile]  # the files downloaded (and packaged), as the Hub lists them

    @property
    def total_bytes(self) -> int:
        return sum(remote.size for remote in self.files)

    @property
    def pinned(self) -> bool:
        return self.revision == self.sha


def fetch_model(
    repo_id: str, revision: str, log: Callable[[str], None], artifact_root: Path | None = None
) -> FetchedModel:
    """Download and verify what inference needs; raises HubError with the one-line explanation on any failure."""
    try:
        return _fetch(repo_id, revision, log, artifact_root)
    except HubError:
        raise
    except OSError as error:  # requests' and huggingface_hub's errors are OSErrors
        explained = explain(error, repo_id, revision)
        if explained is None:
            raise
        raise explained from error


def _listing(repo_id: str, revision: str, saved: Path | None) -> Listing:
    if saved is not None and is_commit_sha(revision):
        known = listings.read_saved(saved, repo_id, revision)
        if known is not None:
            return known
    return listings.fetch_listing(repo_id, revision)


def _fetch(repo_id: str, revision: str, log: Callable[[str], None], artifact_root: Path | None) -> FetchedModel:
    def saved_listing(sha: str) -> Path:
        folder = artifact_dir(repo_id, sha) if artifact_root is None else artifact_dir(repo_id, sha, artifact_root)
        return folder / SAVED_LISTING

    listing = _listing(repo_id, revision, saved_listing(revision) if is_commit_sha(revision) else None)
    if not is_commit_sha(revision):
        log(f"{repo_id}: {revision} is commit {listing.sha}")
    metadata_files(listing)
    try:
        weights = weights_entry(listing)
    except PickleOnlyError as refusal:
        raise PickleOnlyError(f"{refusal}; {_safetensors_revision_hint(listing)}") from None

    def fetch(name: str) -> Path:
        remote = listing.files[name]
        log(f"{name} ({remote.shown_size})")
        return download(repo_id, listing.sha, remote, log)

    log(f"downloading into the Hugging Face cache, checking each file against the Hub's hash ({endpoint()})")
    config_path = fetch(CONFIG)
    _refuse_non_classifier(listing, config_path)
    fetch(PREPROCESSOR)
    index_path = fetch(weights)
    names = [CONFIG, PREPROCESSOR, weights]
    if weights == SAFETENSORS_INDEX:
        shards = _shards(listing, index_path)
        for name in shards:
            fetch(name)
        names.extend(shards)
    listings.save(saved_listing(listing.sha), listing, names)
    return FetchedModel(
        repo_id=repo_id,
        revision=revision,
        sha=listing.sha,
        folder=config_path.parent,
        files=[listing.files[name] for name in names],
    )


def _refuse_non_classifier(listing: Listing, config_path: Path) -> None:
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HubError(f"{describe(listing)}: config.json is not valid JSON ({error})") from None
    problems = classifier_problems(config) if isinstance(config, dict) else ["config.json is not a JSON object"]
    if problems:
        raise HubError(
            f"{describe(listing)} is not an image classifier ({'; '.join(problems)}): pick a model from "
            f"{endpoint()}/models?pipeline_tag=image-classification"
        )


def _shards(listing: Listing, index_path: Path) -> list[str]:
    try:
        shards = shard_names(json.loads(index_path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        shards = None
    if not shards:
        raise HubError(f"{describe(listing)}: {SAFETENSORS_INDEX} has no weight_map of .safetensors shards")
    missing = missing_shards(listing, shards)
    if missing:
        raise HubError(f"{describe(listing)}: {SAFETENSORS_INDEX} names shards the repo lacks: {', '.join(missing)}")
    return shards


def _safetensors_revision_hint(listing: Listing) -> str:
    """Where the same model has safetensors weights: main, when it has them and is another commit."""
    try:
        main = listings.fetch_listing(listing.repo_id, "main")
    except (OSError, HubError):
        main = None
    if main is not None and main.sha != listing.sha and has_safetensors(main):
        return f"main ({short(main.sha)}) has them: --revision {main.sha}"
    return (
        "main has none either: if you trust these weights, download the folder yourself and package it "
        "(`npm run model:package -- <folder>` accepts pytorch_model.bin from a folder)"
    )
