"""Emulator processes for the workaround tests: the patched server (serve.py) and plain moto, each on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

EMULATOR_DIR = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            return
        except OSError as error:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"emulator did not start: {process.stderr.read().decode() if process.stderr else ''}"
                ) from error
            time.sleep(0.1)


def _stopped(process: subprocess.Popen[bytes], url: str) -> Iterator[str]:
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def patched_url() -> Iterator[str]:
    """serve.py on a port of the OS's choosing, as the deploy rehearsal starts it."""
    process = subprocess.Popen(
        [sys.executable, str(EMULATOR_DIR / "serve.py")], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    ready = process.stdout.readline().decode().strip()
    assert ready.startswith("AWS_EMULATOR_READY http://127.0.0.1:"), ready
    url = ready.split(" ", 1)[1]
    _wait_until_serving(process, url)
    yield from _stopped(process, url)


@pytest.fixture(scope="session")
def plain_moto_url() -> Iterator[str]:
    """moto's own server, without the workarounds."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_until_serving(process, url)
    yield from _stopped(process, url)


def client(service: str, url: str):
    return boto3.client(
        service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
