"""The CPU as /proc/cpuinfo describes it: its flags and the signature speeds are kept under."""

import io

from gan_studio.core import machine


def test_cpu_flags_are_read_from_proc_cpuinfo(monkeypatch):
    cpuinfo = ("processor\t: 0\nmodel name\t: Some CPU\n"
               "flags\t\t: fpu sse2 avx2 avx512f amx_bf16\n\n"
               "processor\t: 1\nflags\t\t: fpu sse2 avx2 avx512f amx_bf16\n")

    def fake_open(path, *args, **kwargs):
        assert path == "/proc/cpuinfo"
        return io.StringIO(cpuinfo)

    # `open` is looked up in the module's globals before the builtins: the file read is replaced
    # for `machine` alone, not for pytest.
    monkeypatch.setattr(machine, "open", fake_open, raising=False)
    assert machine.cpu_flags() == {"fpu", "sse2", "avx2", "avx512f", "amx_bf16"}


def test_cpu_flags_are_empty_where_proc_cpuinfo_cannot_be_read(monkeypatch):
    def no_file(path, *args, **kwargs):
        raise FileNotFoundError(path)

    monkeypatch.setattr(machine, "open", no_file, raising=False)
    assert machine.cpu_flags() == set()


def test_the_signature_names_the_cpu_its_cores_and_its_speed_flags(monkeypatch):
    cpuinfo = ("processor\t: 0\nmodel name\t: AMD EPYC  7B13 64-Core Processor\n"
               "flags\t\t: fpu avx2 fma avx512f avx512_bf16 sse2\n")
    monkeypatch.setattr(machine, "open", lambda *a, **k: io.StringIO(cpuinfo), raising=False)
    monkeypatch.setattr(machine.os, "sched_getaffinity", lambda pid: {0, 1})
    assert machine.cpu_signature() == \
        "AMD EPYC 7B13 64-Core Processor, 2 cores, avx2 fma avx512f avx512_bf16"
    assert machine.describe_cpu_flags(set()) == "no AVX2"


def test_the_machine_report_names_the_cpu_and_the_kernels_it_was_held_to(monkeypatch):
    cpuinfo = ("processor\t: 0\nmodel name\t: AMD EPYC 7B13\n"
               "flags\t\t: fpu avx2 fma avx512f avx512_bf16\n")
    monkeypatch.setattr(machine, "open", lambda *a, **k: io.StringIO(cpuinfo), raising=False)
    monkeypatch.setattr(machine.os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr("platform.node", lambda: "vm")
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    assert machine.machine_report("2026-12-08 01:40") == \
        "machine: vm, AMD EPYC 7B13, 1 core, avx2 fma avx512f avx512_bf16; 2026-12-08 01:40"
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    report = machine.machine_report("2026-12-08 01:40")
    assert report.endswith("avx512_bf16; ONEDNN_MAX_CPU_ISA=AVX2; 2026-12-08 01:40")


def test_every_benchmark_script_prints_the_machine():
    # A figure holds for the CPU it was measured on: each script's main() calls the report
    # (they print it right after parsing their arguments; this checks the call, not the order).
    import ast
    from pathlib import Path

    folder = Path(__file__).parents[1] / "benchmarks"
    missing = []
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text())
        mains = [node for node in tree.body if isinstance(node, ast.FunctionDef)
                 and node.name == "main"]
        if not mains:
            continue  # a helper the scripts import (paired_rounds, tutorial_loop)
        calls = [node for node in ast.walk(mains[0]) if isinstance(node, ast.Call)]
        names = {getattr(c.func, "id", getattr(c.func, "attr", None)) for c in calls}
        if "machine_report" not in names:
            missing.append(path.name)
    assert not missing, f"benchmarks that do not print machine_report(): {missing}"
