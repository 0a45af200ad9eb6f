"""The HTTP front of the local endpoint: the SageMaker Runtime API in front of the container contract.

Routes (127.0.0.1 only):
  GET  /ping                              container health, answered by MMS (its Netty frontend answers while busy)
  POST /invocations                       the container contract, passed to MMS untouched
  POST /endpoints/{name}/invocations      InvokeEndpoint as SageMaker Runtime answers it: the container's 2xx body
                                          as is, anything else wrapped in ModelError (424) etc. (wire_format.py)

One thread per connection (ThreadingHTTPServer); MMS queues requests for its workers, as in the container.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from wire_format import (
    MAX_CUSTOM_ATTRIBUTES,
    MAX_PAYLOAD_BYTES,
    TIMEOUT_MESSAGE,
    RuntimeErrorAnswer,
    endpoint_not_found,
    internal_failure,
    model_error,
    service_unavailable,
    unknown_operation,
    validation_error,
)

log = logging.getLogger("local_endpoint")

RUNTIME_PATH = re.compile(r"^/endpoints/([^/]+)/invocations$")
CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
# The request headers SageMaker passes on to the container (it strips the rest).
FORWARDED = ("Content-Type", "Accept", CUSTOM_ATTRIBUTES)
# Oversized bodies up to this size are read and dropped before answering; larger ones get the answer and a close.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
# What writing to (or reading from) a caller's connection raises once the caller has closed it, e.g. a Lambda whose
# time budget ran out while the model worked: nothing is wrong here, and nobody is left to answer.
CALLER_GONE = (BrokenPipeError, ConnectionResetError)


class ContainerUnreachableError(Exception):
    """MMS refused the connection: nothing was sent, so the container never saw the request."""


class ContainerTimeoutError(Exception):
    pass


class ContainerClient:
    """HTTP to MMS with one kept-alive connection per front thread."""

    def __init__(self, port: int, timeout_s: float):
        self._port = port
        self._timeout_s = timeout_s
        self._local = threading.local()

    def call(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str], timeout_s: float | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        reused = getattr(self._local, "connection", None) is not None
        try:
            return self._once(method, path, body, headers, timeout_s)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self._drop()
            if not reused:
                raise
            # A kept-alive connection MMS had already closed: one fresh attempt, like any HTTP client pool.
            return self._once(method, path, body, headers, timeout_s)

    def _once(self, method, path, body, headers, timeout_s):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=self._timeout_s)
            self._local.connection = connection
        connection.timeout = timeout_s or self._timeout_s
        if connection.sock is not None:
            connection.sock.settimeout(connection.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        except ConnectionRefusedError as error:
            self._drop()
            raise ContainerUnreachableError(str(error)) from error
        except TimeoutError as error:
            self._drop()
            raise ContainerTimeoutError(str(error)) from error
        if answer.will_close:
            self._drop()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
        self._local.connection = None


class FrontServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The container must accept sockets within 250 ms even under load: a deep backlog keeps bursts queued, not refused.
    request_queue_size = 128

    def __init__(
        self, port: int, endpoint_name: str, container: ContainerClient, test_delay_ms: int, container_timeout_s: float
    ):
        self.endpoint_name = endpoint_name
        self.container = container
        self.test_delay_ms = test_delay_ms
        self.container_timeout_s = container_timeout_s
        super().__init__(("127.0.0.1", port), FrontHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:  # socketserver's types: Any
        """A caller gone between requests (a kept-alive connection reset) is one line, not a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, CALLER_GONE):
            log.info("a caller's connection from port %s ended abruptly (%s)", client_address[1], error)
            return
        super().handle_error(request, client_address)


class FrontHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's agent expects
    server: FrontServer
    answer_status: int | None = None  # the status being written, for the log line if the caller is gone by then

    # -- routing -------------------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._route({"/ping": self._ping})

    def do_POST(self) -> None:
        match = RUNTIME_PATH.match(self.path.split("?", 1)[0])
        if match:
            self._timed(lambda: self._invoke_endpoint(match.group(1)))
        else:
            self._route({"/invocations": lambda: self._timed(self._container_invocations)})

    def _route(self, routes: dict[str, Callable[[], None]]) -> None:
        action = routes.get(self.path.split("?", 1)[0])
        if action is None:
            self._discard_body()
            self._send_error(unknown_operation())
        else:
            action()

    # -- handlers ------------------------------------------------------------------------------------------------
    def _ping(self) -> None:
        try:
            status, headers, body = self.server.container.call("GET", "/ping", None, {}, timeout_s=2.0)
        except (ContainerUnreachableError, ContainerTimeoutError, OSError, http.client.HTTPException) as error:
            self._send(503, {"Content-Type": "application/json"}, b'{"status":"Unhealthy"}')
            log.warning("ping: model server not answering (%s)", error)
            return
        model_server = _ping_status(body)
        if status == 200 and model_server not in (None, "Healthy"):
            # multi-model-server answers 200 "PartialHealthy" while some workers stay dead (e.g. their process was
            # killed and could not be restarted): requests then queue for fewer workers, or wait forever for none.
            # A container health check should fail then, so SageMaker would replace the instance.
            self._send(
                503,
                {"Content-Type": "application/json"},
                json.dumps({"status": "Unhealthy", "modelServer": model_server}).encode(),
            )
            log.warning("ping: the model server reports %s: answering 503", model_server)
            return
        self._send(status, {"Content-Type": headers.get("content-type", "application/json")}, body)

    def _container_invocations(self) -> int:
        """The container contract: exactly what MMS answers."""
        body = self._read_body(limit=None)
        if body is None:
            return 400
        self._test_delay()
        try:
            status, headers, data = self.server.container.call("POST", "/invocations", body, self._forwarded_headers())
        except ContainerUnreachableError:
            self._send(503, {"Content-Type": "application/json"}, b'{"message":"model server not running"}')
            return 503
        except ContainerTimeoutError:
            self._send(504, {"Content-Type": "application/json"}, b'{"message":"model server timed out"}')
            return 504
        except (OSError, http.client.HTTPException):
            self._send(502, {"Content-Type": "application/json"}, b'{"message":"model server closed the connection"}')
            return 502
        self._send(status, {"Content-Type": headers.get("content-type", "application/octet-stream")}, data)
        return status

    def _invoke_endpoint(self, name: str) -> int:
        """InvokeEndpoint: validation as the service does it, then the container, then the runtime's wrapping."""
        if name != self.server.endpoint_name:
            self._discard_body()
            return self._send_error(endpoint_not_found(name))
        attributes = self.headers.get(CUSTOM_ATTRIBUTES)
        if attributes is not None and len(attributes) > MAX_CUSTOM_ATTRIBUTES:
            self._discard_body()
            return self._send_error(
                validation_error(
                    f"1 validation error detected: Value at 'customAttributes' failed to satisfy constraint: "
                    f"Member must have length less than or equal to {MAX_CUSTOM_ATTRIBUTES}"
                )
            )
        body = self._read_body(limit=MAX_PAYLOAD_BYTES)
        if body is None:
            return self._send_error(
                validation_error(
                    "1 validation error detected: Value at 'body' failed to satisfy constraint: "
                    f"Member must have length less than or equal to {MAX_PAYLOAD_BYTES}"
                )
            )
        if not self._test_delay():
            return self._send_error(model_error(name, 0, TIMEOUT_MESSAGE))
        try:
            status, headers, data = self.server.container.call("POST", "/invocations", body, self._forwarded_headers())
        except ContainerUnreachableError:
            return self._send_error(
                service_unavailable("The model container is not running (local endpoint: MMS refused the connection).")
            )
        except ContainerTimeoutError:
            return self._send_error(model_error(name, 0, TIMEOUT_MESSAGE))
        except (OSError, http.client.HTTPException) as error:
            # The container dropped the connection mid-request: no HTTP status, like a crashed worker.
            return self._send_error(model_error(name, 0, f"The container closed the connection: {error}"))
        if 200 <= status < 300:
            self._send(
                200,
                {
                    "Content-Type": headers.get("content-type", "application/json"),
                    "x-Amzn-Invoked-Production-Variant": "AllTraffic",
                },
                data,
            )
            return 200
        return self._send_error(model_error(name, status, data.decode("utf-8", errors="replace")))

    # -- helpers -------------------------------------------------------------------------------------------------
    def _forwarded_headers(self) -> dict[str, str]:
        return {name: self.headers[name] for name in FORWARDED if self.headers.get(name) is not None}

    def _test_delay(self) -> bool:
        """TEST-ONLY latency. Returns False when it alone exceeds the container timeout (SageMaker would give up)."""
        delay_s = self.server.test_delay_ms / 1000
        if delay_s <= 0:
            return True
        time.sleep(min(delay_s, self.server.container_timeout_s))
        return delay_s < self.server.container_timeout_s

    def _read_body(self, limit: int | None) -> bytes | None:
        """The body, or None when it is over `limit` (read and dropped, so the client can read our answer)."""
        length = self._content_length()
        if length < 0 or (limit is not None and length > limit):
            self._discard_body()
            return None
        return self.rfile.read(length) if length else b""

    def _discard_body(self) -> None:
        length = self._content_length()
        if 0 < length <= DRAIN_LIMIT_BYTES:
            while length > 0:
                length -= len(self.rfile.read(min(length, 1 << 20)) or b"x" * length)
        elif length:
            # Too big to be worth reading (or unreadable): answer, then close the connection.
            self.close_connection = True

    def _content_length(self) -> int:
        try:
            return int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return -1

    def _send_error(self, answer: RuntimeErrorAnswer) -> int:
        self._send(answer.status, answer.headers(), answer.body)
        return answer.status

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.answer_status = status
        self.send_response(status)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _timed(self, action: Callable[[], int]) -> None:
        started = time.monotonic()
        self.answer_status = None
        try:
            status = action()
        except CALLER_GONE:
            self.close_connection = True
            log.info(
                "%s %s -> %s not delivered: the caller closed the connection before the answer (after %.0f ms)",
                self.command,
                self.path,
                self.answer_status or "no answer",
                (time.monotonic() - started) * 1000,
            )
            return
        except Exception:  # a bug here must cost one request, never the server
            log.exception("%s %s failed inside the local endpoint", self.command, self.path)
            status = self._send_error(internal_failure())
        log.info("%s %s -> %s in %.0f ms", self.command, self.path, status, (time.monotonic() - started) * 1000)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - BaseHTTPRequestHandler's signature
        pass  # one line per invocation comes from _timed; pings stay quiet


def _ping_status(body: bytes) -> str | None:
    """The "status" of multi-model-server's ping answer ("Healthy", "PartialHealthy", "Unhealthy"), if it has one."""
    try:
        status = json.loads(body).get("status")
    except (ValueError, AttributeError):
        return None
    return status if isinstance(status, str) else None
