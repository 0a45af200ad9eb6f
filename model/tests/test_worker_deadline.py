"""The worker's time limit per request: whatever the pre-scan misses, decoding and inference stop at the deadline.

The backstop is shown on what the pre-scan now refuses or strips (items that used to keep a worker busy for a
minute): with the pre-scan switched off and Pillow's own orientation path put back, the same requests still end
at the deadline, and the next request is served at once. Through the real model server: local/endpoint/
tests/test_worker_deadline_http.py.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import threading
import time
from collections.abc import Iterator

import pytest
from PIL import ImageOps

from conftest import encode, mms_context
from hostile_images import metadata as hostile
from serving_deadline import Deadline, DeadlineExceeded
from serving_errors import Rejected, RequestError
from serving_request import Options, ParsedRequest, parse_request
from serving_settings import ServingSettings

GUARD_S = 20.0  # CPU after which a test gives up on a request that no deadline stopped


class _NotStopped(BaseException):
    pass


@pytest.fixture
def cpu_guard() -> Iterator[None]:
    """Fails (instead of running for minutes) when a request is not stopped by its own deadline."""

    def give_up(_signum: int, _frame: object) -> None:
        raise _NotStopped(f"still busy after {GUARD_S:.0f} s of CPU: no deadline stopped the request")

    previous = signal.signal(signal.SIGPROF, give_up)
    signal.setitimer(signal.ITIMER_PROF, GUARD_S)
    yield
    signal.setitimer(signal.ITIMER_PROF, 0)
    signal.signal(signal.SIGPROF, previous)


@pytest.fixture
def prescan_off(monkeypatch):
    """serving_image as it was before the pre-scan: Pillow parses all metadata and turns the picture itself."""
    import serving_image
    from serving_prescan import Prescanned

    monkeypatch.setattr(serving_image, "prescan", lambda _fmt, data: Prescanned(data))
    monkeypatch.setattr(serving_image, "upright", lambda image, _orientation: ImageOps.exif_transpose(image))


# -- Deadline itself -------------------------------------------------------------------------------------------------


def spin(deadline: Deadline) -> None:
    with deadline.enforced():
        while True:
            pass


@pytest.mark.usefixtures("cpu_guard")
def test_a_busy_block_is_stopped_at_its_deadline_and_leaves_no_alarm_behind():
    # Prepare
    handler = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    # Act
    with pytest.raises(DeadlineExceeded):
        spin(Deadline.start(200))
    # Assess: stopped near 0.2 s (not by the 20 s guard), the timer off and the previous handler back
    assert time.monotonic() - started < GUARD_S / 4
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler


@pytest.mark.usefixtures("cpu_guard")
def test_library_code_catching_exception_cannot_swallow_the_deadline():
    def stubborn() -> None:  # what Pillow's plugins do around their parsers
        while True:
            try:
                sum(range(1000))
            except Exception:  # noqa: BLE001 - the point of the test
                continue

    with pytest.raises(DeadlineExceeded), Deadline.start(100).enforced():
        stubborn()


def test_a_block_that_finishes_in_time_is_not_interrupted_later():
    with Deadline.start(300).enforced():
        pass
    time.sleep(0.5)  # past the deadline: no alarm may arrive now
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_no_deadline_arms_no_timer():
    with Deadline.start(0).enforced():
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_deadline_already_passed_refuses_the_work_before_it_starts():
    deadline = Deadline(budget_ms=5, at=time.monotonic() - 1)
    ran = []
    with pytest.raises(DeadlineExceeded), deadline.enforced():
        ran.append(True)
    assert ran == []


def test_outside_the_main_thread_the_deadline_is_checked_when_the_block_ends():
    outcome: list[str] = []

    def work() -> None:
        try:
            with Deadline.start(50).enforced():
                time.sleep(0.3)
            outcome.append("finished")
        except DeadlineExceeded:
            outcome.append("deadline")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == ["deadline"]


# -- the backstop: what the pre-scan refuses today, with the pre-scan off --------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: hostile.with_exif("JPEG", hostile.exif_block(2000, 32 * 1024, 6)), id="EXIF orientation"),
        pytest.param(lambda: hostile.gif_comment_flood(1_500_000), id="GIF comment flood"),
    ],
)
@pytest.mark.usefixtures("prescan_off", "cpu_guard")
def test_with_the_pre_scan_off_a_costly_picture_is_stopped_at_the_deadline(make):
    # Prepare: a one-second limit; without it these requests ran for over a minute
    settings = ServingSettings(deadline_ms=1000)
    data = make()
    started = time.monotonic()
    # Act
    with pytest.raises(RequestError) as caught:
        parse_request(data, "application/octet-stream", Options(), settings)
    # Assess: refused with the limit named, within about the limit, and the worker serves the next request
    assert (caught.value.status, caught.value.code) == (413, "image_too_large")
    assert "time limit per request (1000 ms)" in json.loads(caught.value.body)["message"]
    assert time.monotonic() - started < 5
    ordinary = parse_request(encode(hostile.small_picture(), "PNG"), "image/png", Options(), settings)
    assert ordinary.images[0].size == (64, 48)


def test_inference_past_the_deadline_is_stopped_with_a_500(loaded_model):
    # Prepare: a request whose time ran out while it was decoded
    import inference

    context = mms_context()
    request = inference.input_fn(encode(hostile.small_picture(), "PNG"), "image/png", context)
    assert isinstance(request, ParsedRequest)
    expired = dataclasses.replace(request, deadline=Deadline(budget_ms=25, at=time.monotonic() - 1))
    # Act
    answer = inference.output_fn(inference.predict_fn(expired, loaded_model, context), "application/json", context)
    # Assess
    assert context.get_response_status(0)[0] == 500
    body = json.loads(answer)
    assert body["code"] == "internal_error"
    assert "time limit per request (25 ms)" in body["message"]


@pytest.mark.usefixtures("cpu_guard")
def test_inference_running_past_the_deadline_is_interrupted():
    # Prepare: a model whose preprocessing never ends (a stand-in for any step slower than the budget)
    import inference

    class Endless:
        num_labels = 3

        def preprocess(self, _images: object) -> None:
            while True:
                pass

        def classify(self, _pixels: object, _top_k: int) -> list[object]:
            return []

    request = parse_request(encode(hostile.small_picture(), "PNG"), "image/png", Options(), ServingSettings())
    request = dataclasses.replace(request, deadline=Deadline.start(300))
    context = mms_context()
    # Act
    answer = inference.predict_fn(request, Endless(), context)  # type: ignore[arg-type]
    # Assess
    assert context.get_response_status(0)[0] == 500
    assert isinstance(answer, Rejected)
    assert "time limit per request (300 ms)" in answer.error.body
