"""Images/s of one device against `mirrored`, at the same global batch.

    python tests/benchmarks/distributed_throughput.py --data-dir /tmp/kcache
        [--data mnist] [--batch 64] [--steps 60] [--warmup 10] [--rounds 3]

On a machine without GPUs the mirrored arm runs on two logical CPU devices (one CPU split in
two, as the tests do): that measures what the strategy costs (the split batch, the summed
gradients, the synchronised batch norms), not a speed-up, since both replicas share the same
cores. Where TensorFlow sees several GPUs, the mirrored arm uses all of them and the default
arm one. Each arm runs in a fresh process (TensorFlow fixes its devices at start), the arms
alternate `--rounds` times, in turn first (default in odd rounds, mirrored in even ones), and
every round prints its order, both figures and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from paired_rounds import arm_order  # noqa: E402


def run_arm(args) -> None:
    """In a fresh process: one arm's images/s, printed as JSON on the last line."""
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from train_throughput import time_trainer

    extra = {"strategy": args.arm, "sync_batch_norm": not args.per_replica_bn}
    if args.arm == "mirrored" and not tf.config.list_physical_devices("GPU"):
        extra["devices"] = ["/cpu:0", "/cpu:1"]
    rate, batch = time_trainer(args.data_dir, args.data, args.steps, args.warmup, 1, "studio",
                               batch_size=args.batch, **extra)
    print(json.dumps({"arm": args.arm, "images_per_s": rate, "batch": batch}))


def measure(args, arm: str) -> float:
    command = [sys.executable, os.path.abspath(__file__), "--arm", arm, "--data-dir",
               args.data_dir, "--data", args.data, "--batch", str(args.batch), "--steps",
               str(args.steps), "--warmup", str(args.warmup)]
    if args.per_replica_bn:
        command.append("--per-replica-bn")
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode:
        sys.exit(f"the {arm} arm failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])["images_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--data", default="mnist")
    parser.add_argument("--batch", type=int, default=64, help="the global batch (both arms)")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3,
                        help="an even number puts each arm first equally often")
    parser.add_argument("--per-replica-bn", action="store_true",
                        help="mirrored with each replica's own batch-norm statistics")
    parser.add_argument("--arm", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    if args.arm:
        run_arm(args)
        return
    ratios = []
    for round_ in range(args.rounds):
        order = arm_order(round_, ["default", "mirrored"])
        rate = {arm: measure(args, arm) for arm in order}
        one, mirrored = rate["default"], rate["mirrored"]
        ratios.append(mirrored / one)
        print(f"round {round_ + 1} ({order[0]} first): default {one:.0f} img/s, mirrored "
              f"{mirrored:.0f} img/s, ratio {ratios[-1]:.2f}", flush=True)
    print(f"{args.data}, global batch {args.batch}: mirrored / default, median of "
          f"{args.rounds}: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
