"""The runtime front over real HTTP on loopback, with a scripted fake container in place of MMS."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from runtime_front import ContainerClient, FrontServer

ENDPOINT = "local-vit"


class FakeContainer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.answer = (200, "application/json", b'{"predictions": []}')
        self.ping = (200, "application/json", b'{"status": "Healthy"}')
        self.delay_s = 0.0
        self.drop = False  # close the connection without answering, like a crashed worker
        self.seen: list[dict] = []
        super().__init__(("127.0.0.1", 0), FakeContainerHandler)


class FakeContainerHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeContainer

    def do_GET(self):
        self._answer(*self.server.ping)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        time.sleep(self.server.delay_s)
        if self.server.drop:
            self.close_connection = True
            return
        self._answer(*self.server.answer)

    def _answer(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def container():
    server = serve(FakeContainer())
    yield server
    server.shutdown()
    server.server_close()


def make_front(container_port, timeout_s=5.0, delay_ms=0):
    return serve(FrontServer(0, ENDPOINT, ContainerClient(container_port, timeout_s), delay_ms, timeout_s))


@pytest.fixture
def front(container):
    server = make_front(container.server_address[1])
    yield server
    server.shutdown()
    server.server_close()


def request(server, method, path, body=b"", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    answer = connection.getresponse()
    data = answer.read()
    connection.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data


def invoke(server, body=b"img", headers=None, name=ENDPOINT):
    return request(
        server, "POST", f"/endpoints/{name}/invocations", body, {"Content-Type": "image/jpeg", **(headers or {})}
    )


def test_success_passes_the_container_body_and_forwards_only_sagemaker_headers(front, container):
    status, headers, data = invoke(
        front,
        headers={
            "Accept": "application/json",
            "X-Amzn-SageMaker-Custom-Attributes": "top_k=3,task=embed",
            "X-Other": "dropped",
        },
    )
    assert (status, data) == (200, b'{"predictions": []}')
    assert headers["content-type"] == "application/json"
    assert headers["x-amzn-invoked-production-variant"] == "AllTraffic"
    assert headers["x-amzn-requestid"]
    seen = container.seen[-1]
    assert seen["path"] == "/invocations"
    assert seen["body"] == b"img"
    assert seen["headers"]["X-Amzn-SageMaker-Custom-Attributes"] == "top_k=3,task=embed"
    assert seen["headers"]["Content-Type"] == "image/jpeg"
    assert "X-Other" not in seen["headers"]


@pytest.mark.parametrize(
    ("container_status", "kind", "error_code"),
    [
        (415, "client", "CLIENT_ERROR_FROM_MODEL"),
        (400, "client", "CLIENT_ERROR_FROM_MODEL"),
        (500, "server", "INTERNAL_FAILURE_FROM_MODEL"),
    ],
)
def test_container_errors_become_model_error_424(front, container, container_status, kind, error_code):
    original = json.dumps({"code": "unsupported_media_type", "message": "no"}).encode()
    container.answer = (container_status, "application/json", original)
    status, headers, data = invoke(front)
    body = json.loads(data)
    assert status == 424
    assert headers["x-amzn-errortype"] == "ModelError"
    assert body["OriginalStatusCode"] == container_status
    assert body["OriginalMessage"] == original.decode()
    assert body["ErrorCode"] == error_code
    assert body["Message"].startswith(f"Received {kind} error ({container_status}) from primary")
    assert body["LogStreamArn"].endswith(f"log-group:/aws/sagemaker/Endpoints/{ENDPOINT}")


def test_container_contract_route_returns_the_container_answer_untouched(front, container):
    container.answer = (422, "application/json", b'{"code": "undecodable_image"}')
    assert request(front, "POST", "/invocations", b"x", {"Content-Type": "image/png"})[::2] == (
        422,
        b'{"code": "undecodable_image"}',
    )


def test_a_container_dropping_the_connection_is_model_error_with_status_0_and_the_front_keeps_serving(front, container):
    container.drop = True
    status, headers, data = invoke(front)
    assert (status, headers["x-amzn-errortype"], json.loads(data)["OriginalStatusCode"]) == (424, "ModelError", 0)
    assert request(front, "POST", "/invocations", b"x", {"Content-Type": "image/png"})[0] == 502
    container.drop = False
    assert invoke(front)[0] == 200


def test_unknown_endpoint_name_is_a_validation_error(front, container):
    status, headers, data = invoke(front, name="other")
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError")
    assert json.loads(data) == {"message": "Endpoint other of account local not found."}
    assert container.seen == []


def test_bodies_over_the_invoke_endpoint_limit_are_refused_before_the_container(front, container):
    status, headers, _ = invoke(front, body=b"x" * (6_291_456 + 1))
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError")
    assert container.seen == []


def test_oversized_custom_attributes_are_a_validation_error(front):
    status, headers, _ = invoke(front, headers={"X-Amzn-SageMaker-Custom-Attributes": "a" * 1025})
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError")


def test_a_container_slower_than_its_timeout_is_model_error_with_status_0(container):
    container.delay_s = 1.5
    front = make_front(container.server_address[1], timeout_s=0.5)
    try:
        started = time.monotonic()
        status, _, data = invoke(front)
        assert status == 424
        assert json.loads(data)["OriginalStatusCode"] == 0
        assert "timed out" in json.loads(data)["OriginalMessage"]
        assert time.monotonic() - started < 1.4
        container.delay_s = 0
        assert invoke(front)[0] == 200  # the next request gets a fresh connection
    finally:
        front.shutdown()
        front.server_close()


def test_test_delay_knob_counts_against_the_container_timeout(container):
    front = make_front(container.server_address[1], timeout_s=1.0, delay_ms=300)
    try:
        started = time.monotonic()
        assert invoke(front)[0] == 200
        assert time.monotonic() - started >= 0.3
    finally:
        front.shutdown()
        front.server_close()


def test_no_container_means_service_unavailable_and_an_unhealthy_ping():
    probe = FakeContainer()
    port = probe.server_address[1]
    probe.server_close()  # nothing listens there any more
    front = make_front(port)
    try:
        status, headers, _ = invoke(front)
        assert (status, headers["x-amzn-errortype"]) == (503, "ServiceUnavailable")
        assert request(front, "GET", "/ping")[0] == 503
    finally:
        front.shutdown()
        front.server_close()


def test_ping_is_answered_while_invocations_are_in_flight(front, container):
    container.delay_s = 1.0
    workers = [threading.Thread(target=invoke, args=(front,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    time.sleep(0.1)
    started = time.monotonic()
    status, _, _ = request(front, "GET", "/ping")
    assert status == 200
    assert time.monotonic() - started < 0.5
    for worker in workers:
        worker.join()


def test_unknown_paths_get_404(front):
    assert request(front, "GET", "/nope")[0] == 404
    assert request(front, "POST", "/endpoints/x/other", b"x")[0] == 404


@pytest.mark.parametrize(
    "model_server_body",
    [
        # multi-model-server 1.1.11 (api/ping): some workers dead, and all of them
        b'{\n  "status": "PartialHealthy"\n}',
        b'{\n  "status": "Unhealthy"\n}',
    ],
)
def test_ping_reports_dead_workers_as_unhealthy(front, container, model_server_body):
    # Prepare: multi-model-server answers its ping with 200 even while workers stay dead
    container.ping = (200, "application/json", model_server_body)
    # Act
    status, _headers, data = request(front, "GET", "/ping")
    # Assess
    assert status == 503
    assert json.loads(data) == {"status": "Unhealthy", "modelServer": json.loads(model_server_body)["status"]}


def test_ping_is_healthy_when_every_worker_is(front):  # front starts the fake container
    assert request(front, "GET", "/ping")[0] == 200


def test_a_caller_that_left_before_the_answer_costs_one_log_line_and_no_traceback(front, container, caplog, capsys):
    # Prepare: the container answers after the caller (a Lambda whose budget ran out) has closed its connection
    container.delay_s = 0.5
    caplog.set_level(logging.INFO, logger="local_endpoint")
    caller = socket.create_connection(front.server_address)
    caller.sendall(
        f"POST /endpoints/{ENDPOINT}/invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
        "Content-Length: 3\r\n\r\nimg".encode()
    )
    # Act
    time.sleep(0.1)
    caller.close()
    time.sleep(1.0)  # the container answers, the front writes to the closed connection
    # Assess
    lines = [record.getMessage() for record in caplog.records if "/invocations" in record.getMessage()]
    assert len(lines) == 1, lines
    assert "the caller closed the connection before the answer" in lines[0]
    assert "Traceback" not in capsys.readouterr().err
    assert not [record for record in caplog.records if record.exc_info]
    assert invoke(front)[0] == 200  # and the front keeps serving


def test_a_kept_alive_connection_reset_between_requests_is_one_line_and_no_traceback(front, caplog, capsys):
    # Prepare: one request answered on a kept-alive connection
    caplog.set_level(logging.INFO, logger="local_endpoint")
    caller = socket.create_connection(front.server_address)
    caller.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
    assert caller.recv(65536).startswith(b"HTTP/1.1 200")
    # Act: the caller resets the connection (SO_LINGER 0) while the front waits for its next request
    caller.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    caller.close()
    time.sleep(0.5)
    # Assess
    assert "Traceback" not in capsys.readouterr().err
    assert [record.getMessage() for record in caplog.records if "ended abruptly" in record.getMessage()] != []
    assert request(front, "GET", "/ping")[0] == 200
