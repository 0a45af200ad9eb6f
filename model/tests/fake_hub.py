"""A loopback stand-in for the Hugging Face Hub's file API, answering as huggingface_hub 0.36.2 asks.

What the client calls (read from huggingface_hub 0.36.2: hf_api.model_info, file_download.get_hf_file_metadata,
http_get, utils/_http.hf_raise_for_status), and what this server answers like the Hub does:

- `GET /api/models/{id}/revision/{revision}?blobs=true`: the commit sha and every file with its size, git blob id
  and, for LFS files, the LFS sha256 (`siblings`).
- `HEAD` / `GET /{id}/resolve/{revision}/{file}`: `X-Repo-Commit`, and for a regular file `ETag` (its git blob id)
  and `Content-Length`; for an LFS file a 302 to a signed CDN URL on another host (`localhost` here, so the client
  drops its token as it does for the Hub's CDN) with `X-Linked-Etag` (the sha256) and `X-Linked-Size`.
- `GET /cdn/{sha256}`: the bytes, honouring `Range: bytes=N-` (206) so an interrupted download can resume.
- Errors with the `X-Error-Code` header the client maps to its exception types: RepoNotFound (401 without a token,
  404 with one, also for a private repo the token cannot see), GatedRepo (401 without a token, 403 with one that has
  no access), RevisionNotFound (404), EntryNotFound (404).

Faults a test can inject: a CDN download that drops the connection after N bytes (the first `times` requests), one
that stalls after N bytes until released (to kill the client mid-download), and bytes served corrupted.

Run on its own (for the jest end-to-end tests), it serves folders until killed and prints one JSON line:

    python model/tests/fake_hub.py org/name=FOLDER [org/other=FOLDER ...]
    -> {"endpoint": "http://127.0.0.1:PORT", "repos": {"org/name": "<sha of main>", ...}}
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

# File types the Hub's default .gitattributes stores with Git LFS.
LFS_SUFFIXES = (".safetensors", ".bin", ".h5", ".msgpack", ".onnx", ".pt", ".ckpt")


def git_blob_id(data: bytes) -> str:
    """Git's object id of a file: sha1 over "blob <size>\\0" and the content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's id, not security


@dataclass
class HubFile:
    name: str
    data: bytes
    lfs: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def pointer(self) -> bytes:
        return f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256}\nsize {len(self.data)}\n".encode()

    @property
    def blob_id(self) -> str:
        # An LFS file's git blob is its pointer file.
        return git_blob_id(self.pointer if self.lfs else self.data)


@dataclass
class HubRepo:
    """Commits (sha -> files) and refs (branch -> sha); gated or private repos need one of `tokens`."""

    commits: dict[str, dict[str, HubFile]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    gated: bool = False
    private: bool = False
    tokens: frozenset[str] = frozenset()


@dataclass
class Faults:
    """Failures of the CDN. Counted per file name."""

    cut_after: dict[str, int] = field(default_factory=dict)  # bytes sent before the connection drops
    cut_times: int = 1  # how many requests of that file are cut
    stall_after: dict[str, int] = field(default_factory=dict)  # bytes sent before the response stalls
    corrupt: set[str] = field(default_factory=set)  # files whose bytes are served with one byte changed
    stalled: threading.Event = field(default_factory=threading.Event)  # set once a response stalls
    release: threading.Event = field(default_factory=threading.Event)  # set to end stalled responses
    cuts_done: dict[str, int] = field(default_factory=dict)


def folder_files(folder: Path) -> dict[str, HubFile]:
    return {
        path.name: HubFile(path.name, path.read_bytes(), path.name.endswith(LFS_SUFFIXES))
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def commit_sha(files: dict[str, HubFile]) -> str:
    """A stable 40-hex commit id for a set of files (the Hub's are git commit ids; any fixed id will do here)."""
    digest = hashlib.sha1()  # an id, not security
    for name, hub_file in sorted(files.items()):
        digest.update(f"{name}\0{hub_file.blob_id}\n".encode())
    return digest.hexdigest()


class FakeHub:
    """The server; `with FakeHub() as hub:` serves on 127.0.0.1 (an OS-chosen port) until the block ends."""

    def __init__(self) -> None:
        self.repos: dict[str, HubRepo] = {}
        self.faults = Faults()
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, lower-cased headers) received
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_commit(self, repo_id: str, folder: Path, branch: str | None = "main", **repo_settings: object) -> str:
        """Serve `folder`'s files as one commit of `repo_id` (created on first use); `branch` points to it."""
        repo = self.repos.setdefault(repo_id, HubRepo())
        for key, value in repo_settings.items():
            setattr(repo, key, value)
        files = folder_files(folder)
        sha = commit_sha(files)
        repo.commits[sha] = files
        if branch is not None:
            repo.refs[branch] = sha
        return sha

    def requested(self, method: str, path_part: str) -> list[dict[str, str]]:
        """Headers of every request with this method whose path contains `path_part`."""
        with self._lock:
            return [headers for m, path, headers in self.requests if m == method and path_part in path]

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.faults.release.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(_HubHandler):
            fake_hub = hub

        return Handler


class _HubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake_hub: FakeHub

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002  # the base class's name
        pass  # quiet: the tests assert on `requests` instead

    def do_HEAD(self) -> None:
        self._route(send_body=False)

    def do_GET(self) -> None:
        self._route(send_body=True)

    # --- routing -----------------------------------------------------------------------------------------------

    def _route(self, send_body: bool) -> None:
        hub = self.fake_hub
        url = urlsplit(self.path)
        with hub._lock:
            hub.requests.append((self.command, url.path, {key.lower(): value for key, value in self.headers.items()}))
        api = re.fullmatch(r"/api/models/(.+?)(?:/revision/([^/]+))?", url.path)
        resolve = re.fullmatch(r"/(.+?)/resolve/([^/]+)/(.+)", url.path)
        cdn = re.fullmatch(r"/cdn/([0-9a-f]{64})", url.path)
        if api and send_body:
            self._model_info(unquote(api.group(1)), unquote(api.group(2) or "main"), parse_qs(url.query))
        elif resolve:
            self._resolve(unquote(resolve.group(1)), unquote(resolve.group(2)), unquote(resolve.group(3)), send_body)
        elif cdn:
            self._cdn(cdn.group(1), send_body)
        else:
            self._error(404, None, "Not found", send_body)

    def _token(self) -> str | None:
        header = self.headers.get("Authorization", "")
        return header[len("Bearer ") :] if header.startswith("Bearer ") else None

    def _visible_repo(self, repo_id: str, send_body: bool) -> HubRepo | None:
        repo = self.fake_hub.repos.get(repo_id)
        token = self._token()
        if repo is None or (repo.private and token not in repo.tokens):
            # The Hub answers a private repo exactly like a missing one; 401 when the request carried no token.
            self._error(404 if token else 401, "RepoNotFound", "Repository not found", send_body)
            return None
        return repo

    def _commit(self, repo: HubRepo, revision: str, send_body: bool) -> str | None:
        sha = repo.refs.get(revision, revision if revision in repo.commits else None)
        if sha is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", send_body)
        return sha

    def _model_info(self, repo_id: str, revision: str, query: dict[str, list[str]]) -> None:
        repo = self._visible_repo(repo_id, True)
        if repo is None:
            return
        sha = self._commit(repo, revision, True)
        if sha is None:
            return
        with_blobs = query.get("blobs") == ["True"] or query.get("blobs") == ["true"]
        siblings = []
        for name, hub_file in sorted(repo.commits[sha].items()):
            sibling: dict[str, object] = {"rfilename": name}
            if with_blobs:
                sibling |= {"blobId": hub_file.blob_id, "size": len(hub_file.data)}
                if hub_file.lfs:
                    lfs = {"sha256": hub_file.sha256, "size": len(hub_file.data), "pointerSize": len(hub_file.pointer)}
                    sibling["lfs"] = lfs
            siblings.append(sibling)
        body = {
            "_id": hashlib.md5(repo_id.encode()).hexdigest()[:24],  # an id, not security
            "id": repo_id,
            "modelId": repo_id,
            "sha": sha,
            "private": repo.private,
            "gated": "manual" if repo.gated else False,
            "disabled": False,
            "tags": [],
            "siblings": siblings,
        }
        self._send(200, {"Content-Type": "application/json"}, json.dumps(body).encode(), True)

    def _resolve(self, repo_id: str, revision: str, name: str, send_body: bool) -> None:
        repo = self._visible_repo(repo_id, send_body)
        if repo is None:
            return
        if repo.gated and self._token() not in repo.tokens:
            if self._token() is None:
                message = f"Access to model {repo_id} is restricted. You must have access to it and be authenticated."
                self._error(401, "GatedRepo", message, send_body)
            else:
                message = f"Access to model {repo_id} is restricted and you are not in the authorized list."
                self._error(403, "GatedRepo", message, send_body)
            return
        sha = self._commit(repo, revision, send_body)
        if sha is None:
            return
        hub_file = repo.commits[sha].get(name)
        if hub_file is None:
            self._error(404, "EntryNotFound", "Entry not found", send_body, {"X-Repo-Commit": sha})
            return
        if hub_file.lfs:
            location = f"http://localhost:{self.fake_hub.port}/cdn/{hub_file.sha256}?signature=fake"
            headers = {
                "Location": location,
                "X-Repo-Commit": sha,
                "ETag": f'"{hub_file.blob_id}"',
                "X-Linked-Etag": f'"{hub_file.sha256}"',
                "X-Linked-Size": str(len(hub_file.data)),
            }
            self._send(302, headers, b"", send_body)
            return
        headers = {"X-Repo-Commit": sha, "ETag": f'"{hub_file.blob_id}"', "Content-Type": "application/octet-stream"}
        self._send(200, headers, hub_file.data, send_body)

    def _cdn(self, sha256: str, send_body: bool) -> None:
        hub = self.fake_hub
        found = [
            hub_file
            for repo in hub.repos.values()
            for files in repo.commits.values()
            for hub_file in files.values()
            if hub_file.lfs and hub_file.sha256 == sha256
        ]
        if not found:
            self._error(404, None, "Not found", send_body)
            return
        hub_file = found[0]
        data = hub_file.data
        if hub_file.name in hub.faults.corrupt:
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        start = 0
        ranged = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if ranged:
            start = int(ranged.group(1))
        body = data[start:]
        headers = {"Content-Type": "application/octet-stream", "ETag": f'"{hub_file.sha256}"'}
        status = 200
        if ranged:
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        if not send_body:
            self._send(status, headers, body, False)
            return
        self._stream(hub_file.name, status, headers, body)

    def _stream(self, name: str, status: int, headers: dict[str, str], body: bytes) -> None:
        """Send `body`, unless a fault says to drop or stall the connection part-way (after the full headers)."""
        faults = self.fake_hub.faults
        limit = None
        with self.fake_hub._lock:
            if name in faults.cut_after and faults.cuts_done.get(name, 0) < faults.cut_times:
                faults.cuts_done[name] = faults.cuts_done.get(name, 0) + 1
                limit = faults.cut_after[name]
        stall = faults.stall_after.get(name)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if stall is not None and not faults.release.is_set():
            self.wfile.write(body[:stall])
            self.wfile.flush()
            faults.stalled.set()
            faults.release.wait(timeout=60)
            self.close_connection = True
            return
        if limit is not None:
            self.wfile.write(body[:limit])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    # --- responses ---------------------------------------------------------------------------------------------

    def _error(
        self, status: int, code: str | None, message: str, send_body: bool, extra: dict[str, str] | None = None
    ) -> None:
        headers = {"Content-Type": "application/json", "X-Error-Message": message} | (extra or {})
        if code is not None:
            headers["X-Error-Code"] = code
        self._send(status, headers, json.dumps({"error": message}).encode(), send_body)

    def _send(self, status: int, headers: dict[str, str], body: bytes, send_body: bool) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def main(argv: list[str]) -> int:
    """Serve `org/name=FOLDER` arguments as each repo's main branch; print where, then serve until killed."""
    hub = FakeHub()
    shas = {}
    for argument in argv:
        repo_id, _, folder = argument.partition("=")
        shas[repo_id] = hub.add_commit(repo_id, Path(folder))
    with hub:
        print(json.dumps({"endpoint": hub.endpoint, "repos": shas}), flush=True)
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
