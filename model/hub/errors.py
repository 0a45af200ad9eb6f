"""One line per failure, saying what went wrong and what to do; never a traceback, never the token.

`explain` turns what huggingface_hub and requests raise into a HubError. The Hub answers a private repository exactly
like a missing one (huggingface_hub raises RepositoryNotFoundError for both), so that message covers both cases.
"""

from __future__ import annotations

import socket

import requests
from huggingface_hub import constants, get_token
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

LOGIN = "set HF_TOKEN to a read token from {endpoint}/settings/tokens or run `.venv/bin/hf auth login`"


class HubError(Exception):
    """A failure the user can act on; its message is the whole story (one line)."""


def endpoint() -> str:
    return constants.ENDPOINT.rstrip("/")


def _login() -> str:
    return LOGIN.format(endpoint=endpoint())


def explain(error: BaseException, repo_id: str, revision: str) -> HubError | None:
    """The HubError for a huggingface_hub / requests failure while reading `repo_id` at `revision`; None if unknown."""
    hub = endpoint()
    has_token = get_token() is not None
    if isinstance(error, GatedRepoError):  # before RepositoryNotFoundError, its base class
        access = "your token has no access yet: " if has_token else ""
        return HubError(
            f"{repo_id} is gated: {access}accept its conditions at {hub}/{repo_id} while logged in, then {_login()}"
        )
    if isinstance(error, RepositoryNotFoundError):
        if has_token:
            return HubError(f"{repo_id} was not found on {hub} with your token: check the id ({hub}/{repo_id})")
        return HubError(
            f"{repo_id} was not found on {hub}: check the id ({hub}/{repo_id}); if it is private, {_login()}"
        )
    if isinstance(error, RevisionNotFoundError):
        return HubError(
            f"{repo_id} has no revision {revision!r}: use a commit sha, branch or tag from {hub}/{repo_id}/commits/main"
        )
    if isinstance(error, OfflineModeIsEnabled) or (
        isinstance(error, LocalEntryNotFoundError) and constants.HF_HUB_OFFLINE
    ):
        return HubError(
            f"HF_HUB_OFFLINE is set and {repo_id}@{revision} is not (all) in the cache: unset HF_HUB_OFFLINE to "
            "download it once; later runs with the same commit sha need no network"
        )
    if isinstance(error, (LocalEntryNotFoundError, requests.ConnectionError, requests.Timeout)):
        return HubError(
            f"cannot reach {hub} ({_reason(error)}): check the network and proxy (HTTPS_PROXY); "
            "a model downloaded once at a commit sha packages again offline"
        )
    if isinstance(error, EntryNotFoundError):
        return HubError(f"{repo_id}@{revision} lost a file while it was downloaded: run the command again")
    if isinstance(error, HfHubHTTPError) and error.response is not None:
        status = error.response.status_code
        if status == 401:
            return HubError(f"{hub} refused the token (401: invalid or expired): {_login()} with a new one")
        if status == 403:
            return HubError(f"{hub} refused access to {repo_id} (403) with your token: check its permissions")
        return HubError(f"{hub} answered {status} for {repo_id}@{revision}: try again later")
    return None


def _reason(error: BaseException) -> str:
    """The network failure underneath requests' wrappers, in words."""
    cause: BaseException | None = error
    for _ in range(20):  # a cause chain is short; the bound only guards against a cycle
        if cause is None:
            break
        if isinstance(cause, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, (TimeoutError, requests.Timeout)):
            return "timed out"
        cause = cause.__cause__ or cause.__context__
    return type(error).__name__
