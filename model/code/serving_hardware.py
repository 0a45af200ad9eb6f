"""What the CPU can do, read from the kernel (/proc/cpuinfo, /sys topology), as plain data.

Kept apart from the choices made with it (serving_runtime.precision_choice) so the choices can be unit-tested
with the feature sets of the CPUs users rent (Skylake/Cascade Lake on m5/c5, Ice Lake on m6i/c6i, Sapphire
Rapids with AMX on m7i/c7i, AMD Zen 4/5 with AVX512-BF16 but no AMX) on whatever machine runs the tests.

Why not torch's own check: torch.ops.mkldnn._is_mkldnn_bf16_supported() is True on every AVX512-BW CPU
(Skylake included), where oneDNN *emulates* bf16 and a forward is slower than in fp32. Only AVX512-BF16 or AMX
run bf16 matrix multiplies natively.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Flags that matter for this model, in the kernel's spelling, in the order the benchmark prints them.
INTERESTING_FLAGS = (
    "avx2",
    "fma",
    "avx512f",
    "avx512bw",
    "avx512_vnni",
    "avx_vnni",
    "avx512_bf16",
    "avx512_fp16",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
)


@dataclass(frozen=True)
class CpuFeatures:
    model: str
    flags: frozenset[str]

    @property
    def amx_bf16(self) -> bool:
        return {"amx_tile", "amx_bf16"} <= self.flags

    @property
    def avx512_bf16(self) -> bool:
        return "avx512_bf16" in self.flags

    @property
    def native_bf16(self) -> bool:
        """bf16 matrix multiplies in hardware: AMX tiles or AVX512-BF16 dot products."""
        return self.amx_bf16 or self.avx512_bf16

    @property
    def int8_dot_product(self) -> bool:
        """VNNI (AVX-512 or AVX) or AMX-INT8: int8 GEMMs several times faster than fp32."""
        return bool({"avx512_vnni", "avx_vnni", "amx_int8"} & self.flags)

    def describe(self) -> str:
        present = [flag for flag in INTERESTING_FLAGS if flag in self.flags]
        return f"{self.model or 'unknown CPU'} [{' '.join(present) or 'no SIMD flags read'}]"


def parse_cpuinfo(text: str) -> CpuFeatures:
    """Model name and flags of the first processor listed (all cores of one machine share them)."""
    model = ""
    flags: frozenset[str] = frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and not model:
            model = value.strip()
        elif key == "flags" and not flags:
            flags = frozenset(value.split())
        if model and flags:
            break
    return CpuFeatures(model=model, flags=flags)


def read_cpu_features(path: str | Path = "/proc/cpuinfo") -> CpuFeatures:
    try:
        return parse_cpuinfo(Path(path).read_text())
    except OSError:  # not Linux: no flags, so every fast path is off and the choice is float32
        return CpuFeatures(model="", flags=frozenset())


def physical_cores(cpus: set[int] | None = None, sys_cpu: str | Path = "/sys/devices/system/cpu") -> int:
    """Physical cores among `cpus` (default: this process's affinity): hyperthread siblings count once.

    An ml.c7i.xlarge has 4 vCPUs on 2 physical cores; matrix multiplies saturate a core's vector/AMX units with
    one thread, so a second thread on its sibling adds contention, not speed.
    """
    if cpus is None:
        cpus = set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set(range(os.cpu_count() or 1))
    cores = set()
    for cpu in cpus:
        try:
            siblings = Path(sys_cpu, f"cpu{cpu}", "topology", "thread_siblings_list").read_text().strip()
        except OSError:
            siblings = str(cpu)  # no topology (some containers): count every CPU as a core
        cores.add(siblings)
    return max(1, len(cores))
