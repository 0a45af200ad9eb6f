"""The local SageMaker endpoint: `MODEL_DIR=... .venv/bin/python local/endpoint/serve.py`.

Serves a model folder or model.tar.gz through model/code/inference.py under the Hugging Face SageMaker inference
toolkit and Multi Model Server (the container's own serving stack), behind a front that speaks the SageMaker
Runtime API. Settings: see settings.py (MODEL_DIR, ENDPOINT_PORT, ENDPOINT_NAME, ...). Prints one line
`LOCAL_ENDPOINT_READY http://127.0.0.1:<port>` once the model is loaded; stops cleanly on SIGTERM / Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import signal
import socket
import sys
import tempfile
import threading
from pathlib import Path

from mms_launcher import ModelServer, ModelServerError
from model_source import ModelSourceError, resolve_model_dir
from runtime_front import ContainerClient, FrontServer
from settings import SettingsError, load_settings

log = logging.getLogger("local_endpoint")


def free_mms_port() -> int:
    """A free loopback port MMS can use: its frontend parses ports with Short.parseShort, so <= 32767.

    The OS hands out ephemeral ports from 32768 up, so port 0 cannot be used; try random ones in a range.
    """
    for _ in range(200):
        candidate = random.randint(20000, 32767)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    raise OSError("no free port between 20000 and 32767 for the model server")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [local-endpoint] %(message)s", stream=sys.stderr)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="local-endpoint-"))
    stop = threading.Event()
    # SIGTERM (from `npm run local`, the tests or SageMaker's own shutdown) and Ctrl-C end the same way.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    model_server: ModelServer | None = None
    front: FrontServer | None = None
    try:
        model_dir = resolve_model_dir(settings.model_path, scratch)
        if settings.test_delay_ms:
            log.warning(
                "TEST-ONLY delay of %d ms before every invocation (LOCAL_ENDPOINT_TEST_DELAY_MS)",
                settings.test_delay_ms,
            )
        model_server = ModelServer(model_dir, scratch, free_mms_port(), settings.workers)
        # The front listens first, so /ping answers (503) while the model loads, as a container does.
        front = FrontServer(
            settings.port,
            settings.endpoint_name,
            ContainerClient(model_server.port, settings.container_timeout_s),
            settings.test_delay_ms,
            settings.container_timeout_s,
        )
        threading.Thread(target=front.serve_forever, name="front", daemon=True).start()
        log.info("serving %s (from %s) as endpoint %r", model_dir, settings.model_path, settings.endpoint_name)
        model_server.start()
        waiter = threading.Thread(
            target=_wait_ready, args=(model_server, settings.startup_timeout_s, stop, settings.port), daemon=True
        )
        waiter.start()
        parent = os.getppid()
        # Set by local/stack.ts: if whoever started us dies without stopping us (SIGKILL, a crashed test
        # runner), stop instead of lingering as an orphan holding the port and a model in memory.
        stop_with_parent = os.environ.get("LOCAL_STOP_WITH_PARENT") == "1"
        while not stop.wait(0.5):
            if model_server.exited():
                log.error("the model server exited: stopping")
                return 1
            if stop_with_parent and os.getppid() != parent:
                log.warning("the parent process exited: stopping")
                return 0
        return 0 if not getattr(stop, "failed", False) else 1
    except (ModelSourceError, ModelServerError, OSError) as error:
        log.error("%s", error)
        return 1
    finally:
        if front is not None:
            front.shutdown()
            front.server_close()
        if model_server is not None:
            model_server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
        log.info("stopped")


def _wait_ready(model_server: ModelServer, timeout_s: float, stop: threading.Event, port: int) -> None:
    try:
        model_server.wait_until_ready(timeout_s)
    except ModelServerError as error:
        log.error("%s", error)
        stop.failed = True  # type: ignore[attr-defined]
        stop.set()
        return
    # Parsed by local/ (the orchestrator and the tests): keep the format.
    print(f"LOCAL_ENDPOINT_READY http://127.0.0.1:{port}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
