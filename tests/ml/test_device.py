"""The GPU side of `ml/runtime/device.py` and the local devices of `ml/training/distribute.py`, on any machine.

TensorFlow is replaced at its boundary only: its device listings, device details, memory-growth
setter and `MirroredStrategy` are faked on the real imported module, so what a machine with
GPUs would see is tested here without one (and a machine with GPUs sees only the fake ones).
"""

import os
from types import SimpleNamespace

import pytest

from gan_studio.core.config import TrainConfig
from gan_studio.ml.runtime import device
from gan_studio.ml.training.distribute import PlacementError, placement_for

A100 = {"device_name": "NVIDIA A100-SXM4-80GB", "compute_capability": (8, 0)}
T4 = {"device_name": "Tesla T4", "compute_capability": (7, 5)}
BF16 = "mixed_bfloat16"


class FakeMachine:
    """TensorFlow's devices as a machine with one CPU and the given GPUs lists them.

    Args:
        tf: the real tensorflow module, whose functions are replaced.
        monkeypatch: undoes every replacement after the test.
        gpus: what `get_device_details` returns for each GPU, in TensorFlow's order.

    Attributes:
        initialised: `set_memory_growth` raises as TensorFlow does once the GPUs are in use.
        memory_growth: (physical device name, enable) of every `set_memory_growth` call.
        gpu_listings: how often the physical GPUs were listed.
        strategies: every `MirroredStrategy` made, with the `devices` it was given.
    """

    def __init__(self, tf, monkeypatch, gpus):
        self.physical = [tf.config.PhysicalDevice("/physical_device:CPU:0", "CPU")]
        self.physical += [tf.config.PhysicalDevice(f"/physical_device:GPU:{i}", "GPU")
                          for i in range(len(gpus))]
        self.logical = [tf.config.LogicalDevice(name.replace("physical_device", "device"), kind)
                        for name, kind in self.physical]
        self.details = {f"/physical_device:GPU:{i}": dict(d) for i, d in enumerate(gpus)}
        self.initialised = False
        self.memory_growth = []
        self.gpu_listings = 0
        self.strategies = []
        for name, fake in [("list_physical_devices", self.list_physical_devices),
                           ("list_logical_devices", self.list_logical_devices)]:
            monkeypatch.setattr(tf.config, name, fake)
        for name, fake in [("get_device_details", self.get_device_details),
                           ("set_memory_growth", self.set_memory_growth)]:
            monkeypatch.setattr(tf.config.experimental, name, fake)
        monkeypatch.setattr(tf.distribute, "MirroredStrategy", self.mirrored_strategy)

    def list_physical_devices(self, device_type=None):
        self.gpu_listings += device_type == "GPU"
        return [d for d in self.physical if device_type in (None, d.device_type)]

    def list_logical_devices(self, device_type=None):
        return [d for d in self.logical if device_type in (None, d.device_type)]

    def get_device_details(self, physical):
        return dict(self.details[physical.name])

    def set_memory_growth(self, physical, enable):
        self.memory_growth.append((physical.name, enable))
        if self.initialised:
            raise RuntimeError("Physical devices cannot be modified after being initialized")

    def mirrored_strategy(self, devices=None, cross_device_ops=None):
        # TensorFlow's own strategy puts its one replica on the CPU when given no devices.
        strategy = SimpleNamespace(devices=devices, num_replicas_in_sync=len(devices or [None]))
        self.strategies.append(strategy)
        return strategy


@pytest.fixture
def machine(monkeypatch):
    """Makes a `FakeMachine` from one details dict per GPU, with `device`'s caches emptied.

    `configure_device` keeps its answer for the process: without the reset a test would read
    the one an earlier test (or this machine's real devices) left behind.
    """
    tf = device.import_tensorflow()
    monkeypatch.setattr(device, "_configured", None)
    monkeypatch.setattr(device, "_gpus", 0)
    return lambda *gpus: FakeMachine(tf, monkeypatch, gpus)


# configure_device, gpu_count


def test_one_gpu_is_named_without_a_count_and_grows_its_memory(machine):
    fake = machine(A100)
    assert device.configure_device() == "GPU: NVIDIA A100-SXM4-80GB"
    assert device.gpu_count() == 1
    assert fake.memory_growth == [("/physical_device:GPU:0", True)]


def test_several_gpus_are_named_by_the_first_and_counted(machine):
    fake = machine(A100, T4, T4)
    assert device.gpu_count() == 3  # configures the devices on first use
    assert device.describe_device() == "GPU: NVIDIA A100-SXM4-80GB (x3)"
    assert fake.memory_growth == [(f"/physical_device:GPU:{i}", True) for i in range(3)]


def test_a_gpu_without_a_name_in_its_details_is_named_by_tensorflow(machine):
    machine({"compute_capability": (8, 6)})
    assert device.configure_device() == "GPU: /physical_device:GPU:0"


def test_gpus_already_initialised_keep_their_memory_setting(machine):
    fake = machine(T4, T4)
    fake.initialised = True
    assert device.configure_device() == "GPU: Tesla T4 (x2)"
    assert device.gpu_count() == 2
    # One refusal does not stop the others from being asked.
    assert [name for name, _ in fake.memory_growth] == ["/physical_device:GPU:0",
                                                         "/physical_device:GPU:1"]


def test_without_a_gpu_the_device_is_the_cpu(machine):
    fake = machine()
    assert device.configure_device() == "CPU"
    assert device.gpu_count() == 0
    assert fake.memory_growth == []


def test_devices_are_configured_once_per_process(machine):
    fake = machine(A100, T4)
    first = device.configure_device()
    assert device.configure_device() == first and device.gpu_count() == 2
    assert fake.gpu_listings == 1 and len(fake.memory_growth) == 2


# choose_precision


@pytest.mark.parametrize("details,expected", [
    ({"compute_capability": (9, 0)}, BF16),
    ({"compute_capability": (8, 6)}, BF16),
    (A100, BF16),
    (T4, "float32"),
    ({"compute_capability": (6, 1)}, "float32"),
    ({"device_name": "a GPU that reports no capability"}, "float32"),
    ({"compute_capability": None}, "float32"),
], ids=["9.0", "8.6", "8.0", "7.5", "6.1", "missing", "none"])
def test_a_gpu_chooses_bfloat16_from_compute_capability_8_0(machine, monkeypatch, details,
                                                            expected):
    machine(details)
    # The CPU's flags always say the opposite: the GPU alone must decide.
    flags = {"avx2"} if expected == BF16 else {"avx512_bf16", "amx_bf16"}
    monkeypatch.setattr(device, "cpu_flags", lambda: set(flags))
    assert device.choose_precision("auto") == expected
    assert device.choose_precision("float32") == "float32"
    assert device.choose_precision(BF16) == BF16


def test_precision_reads_the_first_gpu(machine, monkeypatch):
    monkeypatch.setattr(device, "cpu_flags", set)
    machine(A100, T4)
    assert device.choose_precision("auto") == BF16
    machine(T4, A100)
    assert device.choose_precision("auto") == "float32"


# placement_for: the local devices of a mirrored run


def test_a_mirrored_run_without_devices_takes_every_local_gpu(machine):
    fake = machine(A100, A100)
    placement = placement_for(TrainConfig(strategy="mirrored", batch_size=8))
    assert [s.devices for s in fake.strategies] == [["/device:GPU:0", "/device:GPU:1"]]
    assert placement.replicas == 2
    assert placement.description == "GPU: NVIDIA A100-SXM4-80GB (x2), mirrored over 2 replicas"


def test_a_mirrored_run_without_gpus_leaves_the_cpu_to_tensorflow(machine):
    fake = machine()
    placement = placement_for(TrainConfig(strategy="mirrored", batch_size=8))
    assert [s.devices for s in fake.strategies] == [None]
    assert placement.description == "CPU, mirrored over 1 replica"


@pytest.mark.parametrize("names,expected", [
    (["/gpu:1"], ["/device:GPU:1"]),
    (["GPU:1"], ["/device:GPU:1"]),
    (["/device:GPU:1"], ["/device:GPU:1"]),
    (["/job:localhost/replica:0/task:0/device:GPU:1"], ["/device:GPU:1"]),
    (["/gpu:2", "/GPU:0"], ["/device:GPU:2", "/device:GPU:0"]),
    (["/cpu:0"], ["/device:CPU:0"]),
])
def test_named_devices_are_mirrored_under_tensorflows_names(machine, names, expected):
    fake = machine(A100, A100, A100)
    placement = placement_for(TrainConfig(strategy="mirrored", devices=names, batch_size=6))
    assert [s.devices for s in fake.strategies] == [expected]
    assert placement.replicas == len(expected)


def test_an_unknown_device_names_those_tensorflow_sees(machine):
    fake = machine(A100, A100)
    with pytest.raises(PlacementError) as raised:
        placement_for(TrainConfig(strategy="mirrored", devices=["/gpu:0", "/gpu:2"]))
    assert str(raised.value) == ("no device /gpu:2 here; TensorFlow sees /device:CPU:0, "
                                 "/device:GPU:0, /device:GPU:1")
    assert fake.strategies == []


def test_the_batch_must_split_over_every_local_gpu(machine):
    machine(A100, A100, A100)
    with pytest.raises(PlacementError, match="batch size 8 does not split evenly over 3 "
                                             "replicas: use a multiple of 3"):
        placement_for(TrainConfig(strategy="mirrored", batch_size=8))


def test_compile_notices_are_held_back_and_anything_else_passes(capfd, monkeypatch):
    from gan_studio.ml.runtime.device import compile_notices_filtered

    monkeypatch.delenv("GAN_STUDIO_TF_VERBOSE", raising=False)
    notice = (b"E0000 meta_optimizer.cc:967] remapper failed: INVALID_ARGUMENT: Mutation::Apply "
              b"error: fanout 'gradient_tape/LeakyReluGrad' exist for missing node 'BiasAdd'.\n")
    with compile_notices_filtered():
        os.write(2, notice)
        os.write(2, b"a real problem\n")
    assert capfd.readouterr().err == "a real problem\n"
    monkeypatch.setenv("GAN_STUDIO_TF_VERBOSE", "1")  # everything, for those who ask
    with compile_notices_filtered():
        os.write(2, notice)
    assert "remapper failed" in capfd.readouterr().err
