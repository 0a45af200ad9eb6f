"""Is a downloaded file exactly the one the Hub lists? Size, then the sha256 (LFS files) or git blob id (the rest).

huggingface_hub checks a download's size against Content-Length but not its content, and stores a blob under the
hash the server announced whatever bytes arrived; every file is therefore checked here before it is packaged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from hub.listing import RemoteFile

BLOCK = 1 << 20


def _digest(path: Path, digest: hashlib._Hash, prefix: bytes = b"") -> str:
    digest.update(prefix)
    with path.open("rb") as data:
        for block in iter(lambda: data.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def mismatch(path: Path, expected: RemoteFile) -> str | None:
    """What differs from the Hub's listing, or None when the file is the one listed."""
    size = path.stat().st_size
    if size != expected.size:
        return f"{size} bytes instead of {expected.size}"
    if expected.sha256 is not None:
        actual = _digest(path, hashlib.sha256())
        return None if actual == expected.sha256 else f"sha256 {actual[:12]}… instead of {expected.sha256[:12]}…"
    if expected.blob_id is not None:
        header = b"blob %d\0" % size
        actual = _digest(path, hashlib.sha1(usedforsecurity=False), header)
        return None if actual == expected.blob_id else f"git blob id {actual[:12]}… instead of {expected.blob_id[:12]}…"
    return "the Hub listed no hash to check it against"
