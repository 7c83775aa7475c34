"""Where a train step's time goes: TensorFlow's profiler over a few steps, by op kind and dtype.

    python tests/benchmarks/step_profile.py [--data mnist cifar10] [--preset tutorial]
        [--steps 5] [--top 25] [--precision float32] [--set d_kernel_size:3 ...]

Builds the run's `GAN` (as the trainer does, precision `auto` unless given; `--set` overrides
`TrainConfig` fields) for MNIST (28x28x1) or CIFAR-10
(32x32x3), trains a few warm-up steps on random uint8 batches, then records `--steps` steps with
`tf.profiler.experimental` and reads the trace (the XSpace protobuf the profiler writes). Each
op's time is summed over TensorFlow's executor threads, by the kind of op (oneDNN's `_Mkl*`
names shortened to TensorFlow's), the part of the model it belongs to, and the dtype it
computes in (read from the traced graph). Prints ms per step and the share of all op time;
the executor threads' busy time over the wall time says how well the two cores were used.
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SHAPES = {"mnist": (28, 28, 1), "cifar10": (32, 32, 3)}


def part_of(node: str) -> str:
    """The part of the model an op belongs to, from its node name."""
    for key, part in (("_bn", "batch norm"), ("dropout", "dropout"), ("lrelu", "leaky ReLU"),
                      ("optimizer", "optimizer"), ("Adam", "optimizer"),
                      ("stateful_normal", "noise"), ("augment", "augmentation")):
        if key in node:
            return part
    if "discriminator" in node:
        return "D"
    if "generator" in node:
        return "G"
    return "step"


def op_kind(op_type: str) -> str:
    """TensorFlow's op name for oneDNN's rewrites (`_MklNativeConv2D` -> `Conv2D`)."""
    for prefix in ("_MklNative", "_Mkl", "_"):
        if op_type.startswith(prefix):
            return op_type[len(prefix):]
    return op_type


def graph_dtypes(function, batches) -> dict[str, str]:
    """Node name -> the dtype it computes in (its `T` attribute), from the traced graph."""
    graph = function.get_concrete_function(batches).graph
    dtypes = {}
    for op in graph.get_operations():
        try:
            dtypes[op.name] = op.get_attr("T").name
        except (ValueError, AttributeError):
            continue
    return dtypes


def profile(data: str, preset: str, steps: int, top: int, precision: str = "auto",
            fields: dict | None = None) -> None:
    import numpy as np

    from gan_studio.core.config import TrainConfig
    from gan_studio.ml.runtime.device import import_tensorflow
    from gan_studio.ml.training.gan import GAN

    tf = import_tensorflow()
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    shape = SHAPES[data]
    config = TrainConfig(dataset=data, preset=preset, precision=precision,
                         **(fields or {})).resolved()
    gan = GAN(config, shape, augment=config.augment == "on")
    batches = tf.constant(np.random.default_rng(0).integers(
        0, 256, (1, config.batch_size, *shape), dtype=np.uint8))
    for _ in range(3):
        gan.train(batches, 0)
    dtypes = graph_dtypes(gan.train_steps, batches)
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        start = time.perf_counter()
        for _ in range(steps):
            gan.train(batches, 0)
        wall = time.perf_counter() - start
        tf.profiler.experimental.stop()
        space = xplane_pb2.XSpace()
        with open(sorted(glob.glob(f"{logdir}/plugins/profile/*/*.xplane.pb"))[-1], "rb") as f:
            space.ParseFromString(f.read())
    times, busy = collections.Counter(), 0.0
    host = next(plane for plane in space.planes if plane.name.startswith("/host:CPU"))
    for line in host.lines:
        if not line.name.startswith("tf_Compute"):
            continue
        for event in line.events:
            name = host.event_metadata[event.metadata_id].name
            ms = event.duration_ps / 1e9
            if name.startswith("ExecutorState"):
                busy += ms
                continue
            node, _, op_type = name.rpartition(":")
            node = node.split("/", 1)[1] if node.startswith("gradient_tape/") else node
            backward = name.startswith("gradient_tape/")
            kind = op_kind(op_type) + (" (backward)" if backward else "")
            times[(part_of(node), kind, dtypes.get(name.rpartition(":")[0], "?"))] += ms
    total = sum(times.values())
    print(f"\n{data}, preset {preset}, batch {config.batch_size}, precision {gan.precision}: "
          f"{wall / steps * 1000:.0f} ms a step ({steps * config.batch_size / wall:.0f} img/s "
          f"under the profiler); executor threads busy {busy / (wall * 1000):.2f} of the wall "
          f"time on {os.cpu_count()} cores")
    print(f"{'part':14s} {'op':34s} {'dtype':9s} {'ms/step':>8s} {'share':>6s}")
    for (part, kind, dtype), ms in times.most_common(top):
        print(f"{part:14s} {kind:34s} {dtype:9s} {ms / steps:8.1f} {ms / total:6.1%}")
    by_part, by_dtype = collections.Counter(), collections.Counter()
    for (part, kind, dtype), ms in times.items():
        by_part[part if part not in ("G", "D") else f"{part} {kind.split(' ')[0]}"] += ms
        by_dtype[dtype] += ms
    print("by part: " + ", ".join(f"{k} {v / total:.0%}" for k, v in by_part.most_common(8)))
    print("by dtype: " + ", ".join(f"{k} {v / total:.0%}" for k, v in by_dtype.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", nargs="+", default=["mnist", "cifar10"], choices=list(SHAPES))
    parser.add_argument("--preset", default="tutorial")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--precision", default="auto",
                        choices=("auto", "float32", "mixed_bfloat16"))
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD:VALUE",
                        help="TrainConfig fields over the preset's (whole numbers as such)")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    fields = {}
    for item in args.set:
        name, _, value = item.partition(":")
        fields[name] = int(value) if value.lstrip("-").isdigit() else value
    sys.stdout.reconfigure(line_buffering=True)
    for data in args.data:
        profile(data, args.preset, args.steps, args.top, args.precision, fields)


if __name__ == "__main__":
    main()
