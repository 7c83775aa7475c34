"""Where the bounds of tests/ml/test_distributed.py come from: how far rounding moves a run
split over replicas from one device's, and how far real defects move it.

Each case (a recipe) is trained for six steps on one device; against it, in the same
invocation: the mirrored run the test checks, the one-device run retrained with its initial
weights nudged by 1e-7 of their size (another machine's rounding: these trigger the flips at
ReLU and hinge kinks that Adam turns into whole learning-rate steps), the mirrored run on
oneDNN's AVX2 kernels (ONEDNN_MAX_CPU_ISA=AVX2: an AVX2-only CPU's), and two defects (every
replica fed the first replica's rows; batch norms per replica). It prints, per variant, the
four quantities the test bounds, with the test's bounds beside them: the rounding variants
must sit well below, the defects well above.

    python tests/benchmarks/distributed_bounds.py [--nudges 4] [CASE ...]

Run it on every kind of CPU the bounds should hold for (write `grep -m1 flags /proc/cpuinfo`'s
AVX flags beside the numbers in RESULTS.md). Each variant is a subprocess of ~10 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))
_spec = importlib.util.spec_from_file_location("test_distributed", TESTS / "ml" / "test_distributed.py")
td = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(td)

CASES = {
    "shipped": {},
    "dropout": {"d_dropout": 0.3},
    "hinge": {"loss": "hinge", "r1_gamma": 1.0, "r1_every": 2, "steps_per_call": 2,
              "conditional": True},
}

# Put before the test's training script: the stand-ins for another machine and for defects.
PRELUDE = """
import os
import numpy as np
import gan_studio.ml.training.gan as _gan
import gan_studio.ml.training.pipeline as _pipeline
if os.environ.get("BOUNDS_DEFECT") == "rows":
    _orders = _pipeline.replica_orders
    _pipeline.replica_orders = lambda order, replicas, first, count: (
        [_orders(order, replicas, 0, 1)[0]] * count)
if os.environ.get("BOUNDS_NUDGE"):
    _init = _gan.GAN.__init__
    def _nudged(self, *args, **kwargs):
        _init(self, *args, **kwargs)
        rng = np.random.default_rng(int(os.environ["BOUNDS_NUDGE"]))
        for v in self.generator.trainable_weights + self.discriminator.trainable_weights:
            x = np.asarray(v.value)
            v.assign((x * (1 + 1e-7 * rng.standard_normal(x.shape))).astype(np.float32))
    _gan.GAN.__init__ = _nudged
"""


def _train(folder: Path, name: str, fields: dict, **env) -> dict:
    out = folder / f"{name}.npz"
    proc = subprocess.run([sys.executable, "-c", PRELUDE + td.MIRRORED, json.dumps(fields),
                           str(out)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONHASHSEED="0", **env))
    if proc.returncode:
        raise SystemExit(f"{name}: {proc.stderr[-2000:]}")
    with np.load(out) as f:
        return {key: f[key] for key in f.files}


def _quantities(one: dict, other: dict, first_call: int) -> list[float]:
    def moments(state, when):
        return {k: v for k, v in state.items()
                if k.startswith(f"{when}/") and not k.endswith("/in_sync")}

    apart = np.abs(one["metrics"] - other["metrics"])
    first = [td._relative(one[k], other[k]) for k in moments(one, "first_call")]
    end = [td._relative(one[k], other[k]) for k in moments(one, "end")]
    return [float(apart[:first_call].max()), float(apart.max()), max(first),
            float(np.median(end))]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=list(CASES),
                        help=f"among {', '.join(CASES)} (default: all)")
    parser.add_argument("--nudges", type=int, default=4)
    args = parser.parse_args(argv)
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    unknown = [case for case in args.cases if case not in CASES]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}; the cases: {', '.join(CASES)}")
    bounds = [td.FIRST_CALL_METRICS_ATOL, td.METRICS_ATOL, td.FIRST_CALL_MOMENTS_RTOL,
              td.MOMENTS_MEDIAN_RTOL]
    header = ["metrics, first call", "metrics, all", "moments, first call worst",
              "moments, end median"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for case in args.cases:
            levers = CASES[case]
            fields = td._fields(folder, **levers)
            mirrored = dict(fields, **td.TWO_DEVICES)
            one = _train(folder, f"{case}-one", fields)
            variants = {"mirrored": _train(folder, f"{case}-m", mirrored),
                        "mirrored, AVX2 kernels": _train(folder, f"{case}-avx2", mirrored,
                                                         ONEDNN_MAX_CPU_ISA="AVX2")}
            for n in range(1, args.nudges + 1):
                variants[f"one device, nudge {n}"] = _train(folder, f"{case}-n{n}", fields,
                                                            BOUNDS_NUDGE=str(n))
            defects = {"defect: first replica's rows": _train(folder, f"{case}-rows", mirrored,
                                                              BOUNDS_DEFECT="rows"),
                       "defect: per-replica batch norm": _train(
                           folder, f"{case}-bn", dict(mirrored, sync_batch_norm=False))}
            first_call = levers.get("steps_per_call", 1)
            print(f"\n{case} {json.dumps(levers)}")
            print(f"{'':34}" + "".join(f"{h:>28}" for h in header))
            print(f"{'bound':34}" + "".join(f"{b:>28.3g}" for b in bounds))
            for name, state in {**variants, **defects}.items():
                values = _quantities(one, state, first_call)
                print(f"{name:34}" + "".join(f"{v:>28.3g}" for v in values), flush=True)


if __name__ == "__main__":
    main()
