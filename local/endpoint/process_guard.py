"""Runs the model server as the head of its own process group and takes the whole group down with it.

    python process_guard.py <parent pid> <scratch dir> -- <command...>

Started by mms_launcher.py in a new session. multi-model-server's processes (its launcher, the Java frontend, the
Python fork server and workers, including workers orphaned when their fork server dies) all stay in this group, so
one signal to the group reaches every one of them. The guard ends the group when:
  - it receives SIGTERM/SIGINT (the front stopping normally),
  - the command exits (the model server died: its workers must not linger),
  - its parent (the front, serve.py) is gone, even if it died by SIGKILL and could run no clean-up of its own;
then it removes the scratch folder the front can no longer remove.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

GRACE_S = 10.0
POLL_S = 0.5


def main() -> int:
    parent, scratch, command = int(sys.argv[1]), sys.argv[2], sys.argv[sys.argv.index("--") + 1 :]
    stopping = False

    def request_stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    child = subprocess.Popen(command)  # same process group as the guard
    orphaned = False
    while not stopping and child.poll() is None:
        if os.getppid() != parent:
            orphaned = True
            break
        time.sleep(POLL_S)
    end_group(child)
    if orphaned:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def end_group(child: subprocess.Popen) -> None:
    """SIGTERM to every process of the group, SIGKILL to whatever is left after the grace period (the guard last)."""
    group = os.getpgid(0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the group signal reaches the guard too
    _signal_group(group, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline and _others_alive(group):
        child.poll()  # reap the direct child so it does not count as alive
        time.sleep(0.1)
    if _others_alive(group):
        for pid in _members(group):
            if pid != os.getpid():
                _kill(pid, signal.SIGKILL)
    child.poll()


def _members(group: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":  # fields: state, ppid, pgrp, ...
            members.append(int(entry.name))
    return members


def _others_alive(group: int) -> bool:
    return any(pid != os.getpid() for pid in _members(group))


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


def _kill(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


if __name__ == "__main__":
    sys.exit(main())
