"""Where and how the model runs: device, thread count and number format.

Threads: a model server runs SAGEMAKER_MODEL_SERVER_WORKERS worker processes, and when that is unset both
multi-model-server and TorchServe start one worker per CPU core. Each worker's torch threads are therefore
cores // workers, so workers never fight over cores (oversubscription makes latency several times worse).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import torch

import serving_hardware

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
        quota_us = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period_us = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        return None if quota_us <= 0 else math.ceil(quota_us / period_us)
    except (OSError, ValueError):
        return None


def worker_threads(
    requested: int, under_model_server: bool, workers: int | None = None, cores: int | None = None
) -> int:
    """Torch threads for one model server worker: the physical cores it may use, shared among the workers.

    `workers` is SAGEMAKER_MODEL_SERVER_WORKERS (ServingSettings.workers); None: the server's default.
    Hyperthread siblings are not counted (an ml.c7i.xlarge's 4 vCPUs are 2 cores): a GEMM thread per core
    already keeps its vector / AMX units busy, and a second one on the sibling only adds contention.
    """
    if requested:
        return requested
    cores = cores if cores is not None else min(available_cores(), serving_hardware.physical_cores())
    if workers is None:
        workers = available_cores() if under_model_server else 1  # servers default to one worker per vCPU
    return max(1, cores // workers)


def configure_threads(threads: int) -> None:
    torch.set_num_threads(threads)
    # One request at a time per worker: inter-op parallelism only adds thread contention. RuntimeError: already set
    # once in this process (e.g. tests loading several models).
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)


def choose_device(gpu_id: int | str | None) -> torch.device:
    if torch.cuda.is_available():
        return torch.device(f"cuda:{int(gpu_id) if gpu_id is not None else 0}")
    return torch.device("cpu")


@dataclass(frozen=True)
class PrecisionChoice:
    """The number format to try, and why (logged at start-up). The guard in serving_precision still has to pass."""

    precision: str  # float32 | bfloat16 | float16 | int8
    reason: str

    @property
    def dtype(self) -> torch.dtype:
        return weight_dtype(self.precision)


def weight_dtype(precision: str) -> torch.dtype:
    """dtype of the weights and inputs (int8 quantises Linear weights only; activations stay float32)."""
    return {"bfloat16": torch.bfloat16, "float16": torch.float16}.get(precision, torch.float32)


def precision_choice(
    requested: str, device_type: str, cpu: serving_hardware.CpuFeatures, cuda_bf16: bool = False
) -> PrecisionChoice:
    """Pure decision from INFERENCE_DTYPE, the device and the CPU's features (unit-tested with faked CPUs).

    auto (the default): bf16 on a GPU that has it (else fp16); on CPU bf16 only with AMX or AVX512-BF16, where
    it runs natively (3-4x fp32 on AMX); float32 elsewhere, because emulated bf16 is slower than fp32.
    int8 (dynamic quantisation of the Linear layers) is opt-in: fast with VNNI/AMX-INT8, but its error is
    larger than bf16's, so it is never picked automatically.
    """
    if requested == "float32":
        return PrecisionChoice("float32", "INFERENCE_DTYPE=float32")
    if device_type == "cuda":
        if requested == "int8":
            return PrecisionChoice("float32", "int8 is a CPU path (dynamic quantisation); float32 on GPU")
        if requested == "auto":
            return PrecisionChoice("bfloat16" if cuda_bf16 else "float16", "auto on GPU")
        return PrecisionChoice(requested, f"INFERENCE_DTYPE={requested} on GPU")
    if requested == "int8":
        why = "VNNI/AMX-INT8 present" if cpu.int8_dot_product else "no VNNI: int8 gains less on this CPU"
        return PrecisionChoice("int8", f"INFERENCE_DTYPE=int8 ({why})")
    if requested in ("auto", "bfloat16") and cpu.native_bf16:
        unit = "AMX" if cpu.amx_bf16 else "AVX512-BF16"
        source = "auto" if requested == "auto" else "INFERENCE_DTYPE=bfloat16"
        return PrecisionChoice("bfloat16", f"{source}: native bf16 ({unit})")
    if requested == "auto":
        return PrecisionChoice("float32", "auto: no AMX or AVX512-BF16, bf16 would be emulated and slower")
    return PrecisionChoice("float32", f"INFERENCE_DTYPE={requested} is not native on this CPU; using float32")
