"""`OthersLoad`: the cores other processes keep busy, this process's own work left out."""

import pytest

from gan_studio.core.cpu_load import OthersLoad, machine_busy_seconds


class Machine:
    """CPU seconds of the machine and of this process, moved by the test."""

    def __init__(self):
        self.now, self.busy, self.own = 100.0, 5000.0, 10.0

    def run(self, seconds, others_cores, own_cores=0.0):
        self.now += seconds
        self.busy += seconds * (others_cores + own_cores)
        self.own += seconds * own_cores


def load_of(machine, window=0.5):
    return OthersLoad(lambda: machine.busy, lambda: machine.own, lambda: machine.now, window)


def test_another_process_on_one_core_counts_and_this_process_does_not():
    machine = Machine()
    load = load_of(machine)
    assert load.cores() is None  # nothing measured yet
    machine.run(0.2, others_cores=1.0, own_cores=1.0)
    assert load.cores() is None  # under a window: not yet
    machine.run(0.4, others_cores=1.0, own_cores=1.0)
    assert load.cores() == pytest.approx(1.0, abs=1e-6)  # own renders are not "others"
    for _ in range(4):
        machine.run(0.3, others_cores=0.0, own_cores=2.0)
        load.cores()
    assert load.cores() == pytest.approx(0.0, abs=1e-6)  # the spinner ended: free again


def test_the_load_follows_the_last_window_or_so():
    machine = Machine()
    load = load_of(machine, window=0.5)
    load.cores()
    for _ in range(60):  # a drag: a request every 10 ms, quiet machine
        machine.run(0.01, others_cores=0.0)
        load.cores()
    machine.run(0.01, others_cores=0.0)
    assert load.cores() == pytest.approx(0.0, abs=1e-6)
    for _ in range(110):  # one core taken for 1.1 s
        machine.run(0.01, others_cores=1.0)
        load.cores()
    assert load.cores() == pytest.approx(1.0, abs=1e-6)


def test_unknown_where_the_machine_cannot_be_read(tmp_path):
    assert OthersLoad(machine=lambda: None).cores() is None
    assert machine_busy_seconds(str(tmp_path / "missing")) is None
    (tmp_path / "stat").write_text("cpu  garbage\n")
    assert machine_busy_seconds(str(tmp_path / "stat")) is None
    (tmp_path / "stat").write_text("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n")
    assert machine_busy_seconds(str(tmp_path / "stat")) == pytest.approx(150 / _clock_ticks())


def _clock_ticks():
    import os

    return os.sysconf("SC_CLK_TCK")
