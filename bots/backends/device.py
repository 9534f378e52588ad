"""Where a model runs: which CPU build of the library fits this machine, whether a GPU is there."""

from __future__ import annotations

import glob
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Placement:
    lib: str  # ctransformers library build: "cuda" | "avx2" | "avx" | "basic"
    gpu_layers: int
    reason: str

    @property
    def device(self) -> str:
        return "gpu" if self.lib == "cuda" else "cpu"


def cpu_lib(cpuinfo: str | None = None) -> str:
    """The best CPU build for this processor, from /proc/cpuinfo's flags."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "basic"
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.partition(":")[2].split())
            break
    if "avx2" in flags:
        return "avx2"
    if "avx" in flags:
        return "avx"
    return "basic"


def cuda_device_present() -> bool:
    """An NVIDIA device node or driver entry exists (the CUDA library may still fail to load)."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in {"", "-1"}:
        return False
    return bool(glob.glob("/dev/nvidia[0-9]*")) or bool(glob.glob("/proc/driver/nvidia/gpus/*"))


def place(device: str, gpu_layers: int, *, cuda_loads: bool | None, cpuinfo: str | None = None) -> Placement:
    """Decide GPU or CPU. `cuda_loads`: whether the GPU build of the library loaded (None: untried)."""
    cpu = cpu_lib(cpuinfo)
    if device == "cpu" or gpu_layers == 0:
        return Placement(cpu, 0, "CPU requested" if device == "cpu" else "gpu_layers = 0")
    if not cuda_device_present():
        reason = "no CUDA device found"
    elif not cuda_loads:
        reason = "the CUDA build of the library did not load (install ctransformers[cuda])"
    else:
        return Placement("cuda", gpu_layers, "CUDA device present and the CUDA library loads")
    if device == "gpu":
        log.warning("GPU requested but %s: falling back to CPU (%s)", reason, cpu)
    return Placement(cpu, 0, reason)
