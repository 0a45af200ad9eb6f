"""One file of a commit, into the Hugging Face cache: resumed when interrupted, checked before it is used.

Why the Hugging Face cache (HF_HUB_CACHE, default ~/.cache/huggingface/hub) rather than model/.cache: a download cut
off there leaves `<blob>.incomplete`, which the next attempt (or the next run) continues with a Range request; it is
shared with transformers and `hf download`, so weights already on the machine are not fetched again; and it is
the cache users already know how to place (HF_HOME, HF_HUB_CACHE) and clean (`hf cache delete`).

Within one run, a transfer that breaks off is retried (each attempt resumes where the last stopped); a file whose
bytes do not match the Hub's hash is deleted from the cache and fetched again once. A file is never used before it
matches.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import requests
from huggingface_hub import hf_hub_download

from hub.errors import HubError
from hub.integrity import mismatch
from hub.listing import RemoteFile

ATTEMPTS = 4  # transfers per file that may break off (each resumes the last)
RETRY_PAUSE_SECONDS = 1.0


def _interrupted(error: OSError) -> bool:
    """A transfer that broke off, as opposed to an answer of the Hub or a local disk problem.

    requests raises ChunkedEncodingError when a body ends before its Content-Length (and ConnectionError / Timeout
    when the line drops); huggingface_hub raises a plain OSError "Consistency check failed" when the size still
    differs after its own resumes.
    """
    if isinstance(error, requests.HTTPError):
        return False  # the Hub's answers (missing repo, gated, ...): the caller explains those
    if isinstance(error, (requests.exceptions.ChunkedEncodingError, requests.ConnectionError, requests.Timeout)):
        return True
    return type(error) is OSError and "Consistency check failed" in str(error)


def _forget(path: Path) -> None:
    """Drop a bad file from the cache (the snapshot's link and the blob it points to) so it is fetched again."""
    blob = Path(os.path.realpath(path))
    path.unlink(missing_ok=True)
    blob.unlink(missing_ok=True)


def download(repo_id: str, sha: str, remote: RemoteFile, log: Callable[[str], None]) -> Path:
    """The cached file of `repo_id` at commit `sha`, verified against `remote`; raises HubError or the Hub's errors."""
    where = f"{remote.name} of {repo_id}@{sha[:12]}"
    bad_copies = 0
    for attempt in range(1, ATTEMPTS + 1):
        try:
            path = Path(hf_hub_download(repo_id, remote.name, revision=sha))
        except OSError as error:
            if not _interrupted(error):
                raise
            log(f"{remote.name}: the transfer broke off ({type(error).__name__}); resuming, attempt {attempt + 1}")
            time.sleep(RETRY_PAUSE_SECONDS)
            continue
        difference = mismatch(path, remote)
        if difference is None:
            return path
        _forget(path)
        bad_copies += 1
        if bad_copies == 2:
            raise HubError(
                f"{where} arrived corrupted twice ({difference}), so nothing was packaged and the bad copy was "
                "deleted: check the network or proxy (something is changing the bytes), then run the command again"
            )
        log(f"{remote.name}: {difference}; deleted from the cache, fetching it again")
    raise HubError(
        f"{where}: the transfer broke off {ATTEMPTS} times, so nothing was packaged; run the same command again "
        "(it resumes where it stopped)"
    )
