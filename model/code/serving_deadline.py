"""A time limit per request inside the model server worker, so no request keeps a worker busy after its caller left.

The model server does not stop a worker whose request outlives its response timeout (multi-model-server's 60 s:
the worker runs on, and every request queued behind it waits). Each request gets a deadline when the worker starts
it (INFERENCE_DEADLINE_MS; the stack sets it to the Lambda's INVOKE_BUDGET_MS, after which the caller has its
504), and decoding and inference run under it: when it passes, SIGALRM interrupts the work in the worker's main
thread, the request is answered with an error and the worker takes the next one.

Why a signal: decoding runs in Pillow (Python plugins around C decoders that return to Python every 64 KB) and
inference in PyTorch (C++ operators called from Python), so the interpreter regains control often; a signal handler
runs at the next such point. A thread cannot be stopped from outside, and a process per request would cost more
than most decodes. Both model servers run the handler in the worker process's main thread; elsewhere (a thread)
the deadline is only checked between steps.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType


class DeadlineExceeded(BaseException):
    """The request's time is up. A BaseException, like KeyboardInterrupt, so library code that catches Exception
    (Pillow's plugins do, to turn a bad file into an error) cannot swallow it."""


@dataclass(frozen=True)
class Deadline:
    budget_ms: int  # 0: no deadline
    at: float  # time.monotonic() when it passes (inf: never)

    @classmethod
    def start(cls, budget_ms: int) -> Deadline:
        return cls(budget_ms, time.monotonic() + budget_ms / 1000 if budget_ms else float("inf"))

    def remaining(self) -> float:
        return self.at - time.monotonic()

    @contextlib.contextmanager
    def enforced(self) -> Iterator[None]:
        """Runs the block under this deadline: DeadlineExceeded is raised in it when the time runs out."""
        if self.at == float("inf"):
            yield
            return
        if self.remaining() <= 0:
            raise DeadlineExceeded
        if threading.current_thread() is not threading.main_thread() or _armed.active:
            yield  # signals only reach the main thread; a nested block is covered by the outer one
            if self.remaining() <= 0:
                raise DeadlineExceeded
            return
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        _armed.active = True
        try:
            signal.setitimer(signal.ITIMER_REAL, max(self.remaining(), 0.001))
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _armed.active = False
            signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


class _Armed:
    active = False


_armed = _Armed()


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    if _armed.active:  # an alarm already on its way when the block ended is ignored
        raise DeadlineExceeded
