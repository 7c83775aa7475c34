"""What this machine's CPU is, as far as training speed goes (read from /proc/cpuinfo)."""

from __future__ import annotations

import os

# The flags that change how fast TensorFlow trains (oneDNN's kernels and bfloat16), in the
# order they are written.
SPEED_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile")


def _cpuinfo_field(name: str) -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith(name) and ":" in line:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_flags() -> set[str]:
    """The CPU's feature flags as Linux lists them (`avx512_bf16`, `amx_bf16`, ...); an empty
    set where /proc/cpuinfo cannot be read (not Linux)."""
    return set((_cpuinfo_field("flags") or "").split())


def has_native_bfloat16(flags: set[str] | None = None) -> bool:
    """Whether the CPU computes bfloat16 natively (AVX512-BF16 or AMX): where oneDNN's
    bfloat16 convolutions are faster than float32 ones. Without flags (not Linux): no."""
    flags = cpu_flags() if flags is None else flags
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def describe_cpu_flags(flags: set[str] | None = None) -> str:
    """The `SPEED_FLAGS` the CPU has, as a line (`avx2 fma avx512f avx512_bf16`)."""
    flags = cpu_flags() if flags is None else flags
    return " ".join(flag for flag in SPEED_FLAGS if flag in flags) or "no AVX2"


def cpu_signature() -> str:
    """The CPU in one line: its name, the cores this process may use and its `SPEED_FLAGS`.

    Two machines with the same signature train a given model at about the same speed: it is
    the key under which measured speeds are kept (see `speed_book`).
    """
    name = " ".join((_cpuinfo_field("model name") or "unknown CPU").split())
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return f"{name}, {cores} core{'s' if cores != 1 else ''}, {describe_cpu_flags()}"


# Environment variables that hold TensorFlow's and numpy's kernels to an older instruction set
# (what this project's "AVX2" figures were measured with on AVX-512 machines).
ISA_OVERRIDES = ("ONEDNN_MAX_CPU_ISA", "OPENBLAS_CORETYPE")


def machine_report(when: str | None = None) -> str:
    """One line a benchmark prints first, so that a figure names the CPU it was measured on:
    the host, `cpu_signature()` (name, cores, the speed flags), the instruction-set overrides
    set in the environment, and the date and time.

    Args:
        when: the date and time to print (None: now, to the minute).
    """
    import platform
    import time

    overrides = [f"{name}={os.environ[name]}" for name in ISA_OVERRIDES if os.environ.get(name)]
    held = f"; {' '.join(overrides)}" if overrides else ""
    stamp = when or time.strftime("%Y-%m-%d %H:%M")
    return f"machine: {platform.node()}, {cpu_signature()}{held}; {stamp}"
