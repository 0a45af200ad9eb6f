"""Starts the Hugging Face toolkit's model server (Multi Model Server) the way the toolkit does in the container.

The MMS configuration is the one the toolkit generates (`sagemaker_inference.model_server`), with only what a
local run must change: bind to 127.0.0.1 on an internal port, and a private temp folder (MMS keeps its pid file and
worker sockets there, so two local endpoints never collide). Handler: `sagemaker_huggingface_inference_toolkit.
handler_service`, exactly as `serving.main` selects it, so model/code/inference.py runs under the container's code.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HANDLER_SERVICE = "sagemaker_huggingface_inference_toolkit.handler_service"
MODEL_NAME = "model"  # the toolkit's DEFAULT_MMS_MODEL_NAME
# The container environment the stack sets (src/constructs/sagemaker-endpoint.ts); a caller's own values win.
CONTAINER_ENV = {
    "HF_TASK": "image-classification",
    "SAGEMAKER_PROGRAM": "inference.py",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


class ModelServerError(RuntimeError):
    pass


def write_mms_config(scratch: Path, port: int, workers: int | None) -> tuple[Path, str]:
    """Writes the MMS configuration the toolkit would write for these settings; returns (config, log4j config).

    Mirrors `sagemaker_inference.model_server._generate_mms_config_properties` (1.10.1) line for line: the
    toolkit's default-mms.properties plus the values of its `Environment()`. That module is not imported because
    it pulls boto3 and pkg_resources at import time for things a local run never does (CodeArtifact logins).
    """
    os.environ["SAGEMAKER_BIND_TO_PORT"] = str(port)
    if workers is not None:
        os.environ["SAGEMAKER_MODEL_SERVER_WORKERS"] = str(workers)
    import sagemaker_inference
    from sagemaker_inference import environment

    env = environment.Environment()
    etc = Path(sagemaker_inference.__file__).parent / "etc"
    user_defined = {
        "default_response_timeout": env.model_server_timeout,
        "default_workers_per_model": env.model_server_workers,
        # The container listens on 0.0.0.0 in its own network namespace; locally only loopback is acceptable.
        "inference_address": f"http://127.0.0.1:{env.inference_http_port}",
        "management_address": f"http://127.0.0.1:{env.management_http_port}",
        "vmargs": env.vmargs,
        "max_request_size": env.max_request_size,
        "default_service_handler": HANDLER_SERVICE,
    }
    if env.model_server_timeout_seconds:
        user_defined["default_response_timeout_seconds"] = env.model_server_timeout_seconds
    custom = "".join(f"{key}={value}\n" for key, value in user_defined.items() if value)
    config = scratch / "mms.properties"
    config.write_text((etc / "default-mms.properties").read_text() + custom)
    return config, str(etc / "log4j2.xml")


class ModelServer:
    """One MMS process group: started, health-checked and stopped as a unit."""

    def __init__(self, model_dir: Path, scratch: Path, port: int, workers: int | None):
        self.model_dir = model_dir
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._scratch = scratch
        self._workers = workers
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._loaded_workers = 0

    def start(self) -> None:
        config, log_config = write_mms_config(self._scratch, self.port, self._workers)
        tmp = self._scratch / "tmp"
        tmp.mkdir(exist_ok=True)
        env = {**CONTAINER_ENV, **os.environ}
        # TEMP -> java.io.tmpdir (worker sockets); TMPDIR -> Python's tempfile (MMS pid file).
        env.update(TEMP=str(tmp), TMPDIR=str(tmp))
        # What the toolkit's _set_python_path does (it prepends the model's code dir).
        env["PYTHONPATH"] = f"{self.model_dir / 'code'}:" + env.get("PYTHONPATH", "")
        mms = Path(sys.executable).parent / "multi-model-server"
        command = [
            str(mms),
            "--start",
            "--foreground",
            "--model-store",
            "/",
            "--mms-config",
            str(config),
            "--log-config",
            log_config,
            "--models",
            f"{MODEL_NAME}={self.model_dir}",
        ]
        # Own session, headed by process_guard.py: stopping the group stops the Java frontend and every Python
        # worker with it (also workers orphaned by their fork server), and the guard ends the group itself when
        # this process dies without stopping it (SIGKILL), so nothing is left holding ~1 GB and the port.
        guard = [
            sys.executable,
            str(Path(__file__).resolve().parent / "process_guard.py"),
            str(os.getpid()),
            str(self._scratch),
            "--",
        ]
        self._process = subprocess.Popen(
            guard + command,
            env=env,
            cwd=self._scratch,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        threading.Thread(target=self._relay_output, name="mms-output", daemon=True).start()

    def _relay_output(self) -> None:
        """Copies MMS's output to stderr and counts workers that finished loading the model (ran model_fn)."""
        assert self._process is not None
        assert self._process.stdout is not None
        for raw in self._process.stdout:
            line = raw.decode("utf-8", "replace")
            sys.stderr.write(line)
            # Printed by mms/model_service_worker.py (multi-model-server 1.1.11) once the handler initialised.
            if f"Model {MODEL_NAME} loaded io_fd=" in line:
                with self._lock:
                    self._loaded_workers += 1

    def wait_until_ready(self, timeout_s: float) -> None:
        """Waits until every worker has run model_fn: /ping (and MMS's READY status) turn healthy before that,
        so a request sent at that point would wait for a model load."""
        deadline = time.monotonic() + timeout_s
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise ModelServerError(f"the model server exited with code {self._process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models/{MODEL_NAME}", timeout=2) as answer:
                    workers = json.load(answer).get("workers", [])
                with self._lock:
                    loaded = self._loaded_workers
                if workers and loaded >= len(workers):
                    return
                last = f"{loaded} of {len(workers)} workers have loaded the model"
            except (urllib.error.URLError, OSError, ValueError) as error:
                last = str(error)
            time.sleep(0.5)
        raise ModelServerError(f"the model server was not ready after {timeout_s:.0f} s ({last})")

    def exited(self) -> bool:
        return self._process is None or self._process.poll() is not None

    def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM to the group (the guard ends it, with SIGKILL after its own 10 s); SIGKILL if it is still there."""
        if self._process is None:
            return
        group = self._process.pid  # the guard leads the group (new session)
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=grace_s)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self._process.wait()
