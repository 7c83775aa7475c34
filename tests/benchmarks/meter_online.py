"""How soon after Train the live quality meter gives its first number, from an empty cache.

    python tests/benchmarks/meter_online.py --data-dir DIR [--data cifar10] [--minutes 5]
        [--precision float32] [--set d_kernel_size:3 ...]

Trains a default run for `--minutes` with the live meter on, its feature network's cache in a
folder of its own (empty: the first run on a data set, the slow case); prints when the first
step was reported, each `quality_*` event and each measurement, in seconds after the trainer
was created, with the CPU's flags. `DIR` must hold the data set in the Keras layout; it is
linked into the scratch folder so that no cached feature network is found. Run it pinned
(`taskset -c 0`) and with `ONEDNN_MAX_CPU_ISA=AVX2 ... --precision float32` for an AVX2-only
CPU's figure.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache (mnist, CIFAR-10)")
    parser.add_argument("--data", default="cifar10")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD:VALUE")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.ml.training.trainer import Trainer

    fields = {}
    for item in args.set:
        name, _, value = item.partition(":")
        fields[name] = int(value) if value.lstrip("-").isdigit() else value
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = os.path.join(scratch, "data")
        os.makedirs(data_dir)
        for name in os.listdir(args.data_dir):  # the data, not the cached feature networks
            if name != "gan-studio-features":
                os.symlink(os.path.join(args.data_dir, name), os.path.join(data_dir, name))
        start = time.monotonic()

        class Report(TrainingCallbacks):
            first = None

            def on_progress(self, progress):
                if Report.first is None:
                    Report.first = time.monotonic() - start
                    print(f"{Report.first:.1f} s: the first step reported", flush=True)

            def on_quality(self, report):
                print(f"{time.monotonic() - start:.1f} s: quality at step {report.step}: "
                      f"{report.summary()}", flush=True)

            def on_event(self, event):
                if event.kind.startswith("quality"):
                    print(f"{time.monotonic() - start:.1f} s: {event.message}", flush=True)

        config = TrainConfig(dataset=args.data, data_dir=data_dir,
                             runs_dir=os.path.join(scratch, "runs"), max_minutes=args.minutes,
                             precision=args.precision, **fields)
        Trainer.create(config, callbacks=Report()).run()


if __name__ == "__main__":
    main()
