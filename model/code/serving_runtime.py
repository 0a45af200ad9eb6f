"""Where and how the model runs: device, thread count and number format.

Threads: a model server runs SAGEMAKER_MODEL_SERVER_WORKERS worker processes, and when that is unset both
multi-model-server and TorchServe start one worker per CPU core. Each worker's torch threads are therefore
cores // workers, so workers never fight over cores (oversubscription makes latency several times worse).
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import torch

logger = logging.getLogger(__name__)


def available_cores() -> int:
    """CPUs this process may use: its affinity mask, further limited by a cgroup CPU quota (docker --cpus)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = _cgroup_cpu_quota()
    return max(1, min(cores, quota)) if quota else max(1, cores)


def _cgroup_cpu_quota() -> int | None:
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]  # cgroup v2: "max 100000"
        return None if quota == "max" else math.ceil(int(quota) / int(period))
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        quota = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        return None if quota <= 0 else math.ceil(quota / period)
    except (OSError, ValueError):
        return None


def worker_threads(requested: int, under_model_server: bool, environ=os.environ) -> int:
    if requested:
        return requested
    cores = available_cores()
    workers_env = environ.get("SAGEMAKER_MODEL_SERVER_WORKERS", "").strip()
    if workers_env.isdigit() and int(workers_env) > 0:
        workers = int(workers_env)
    else:
        workers = cores if under_model_server else 1
    return max(1, cores // workers)


def configure_threads(threads: int) -> None:
    torch.set_num_threads(threads)
    try:
        # One request at a time per worker: inter-op parallelism only adds thread contention.
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set once in this process (e.g. tests loading several models)
        pass


def choose_device(gpu_id) -> torch.device:
    if torch.cuda.is_available():
        return torch.device(f"cuda:{int(gpu_id) if gpu_id is not None else 0}")
    return torch.device("cpu")


def cpu_has_native_bf16() -> bool:
    """True where oneDNN runs bfloat16 natively (AVX512-BF16 or AMX); elsewhere bf16 is emulated and slower."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def candidate_dtype(requested: str, device: torch.device) -> torch.dtype:
    """The reduced precision worth trying for `requested`, or float32. Top-1 agreement is checked by the caller."""
    if requested == "float32":
        return torch.float32
    if device.type == "cuda":
        if requested == "auto":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.bfloat16 if requested == "bfloat16" else torch.float16
    if requested in ("bfloat16", "auto") and cpu_has_native_bf16():
        return torch.bfloat16
    if requested != "auto":
        logger.warning("INFERENCE_DTYPE=%s is not fast on this CPU (no native support); using float32", requested)
    return torch.float32
