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
