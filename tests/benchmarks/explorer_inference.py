"""How fast does the latent explorer render one image, idle and while training runs?

    python tests/benchmarks/explorer_inference.py [--calls 300] [--blas-threads 1]

For the MNIST (latent 100 -> 28x28x1) and CIFAR-10 (latent 128 -> 32x32x3) generators at
batch 1, times latent -> float pixels through
  (a) the numpy generator (`numpy_generator_from_keras`),
  (b) a warmed-up `tf.function` with a fixed input signature (the baseline),
  (c) `model.predict_on_batch`,
on an idle process, then (d) numpy and tf.function again while a background thread trains the
MNIST GAN (batch 256, random uint8 data) with TensorFlow in the same process. Under training,
renders are paced like slider events (`--rate` per second) and each case stops after
`--max-seconds`. Prints p50/p95/p99/max in ms and ratios to the tf.function baseline of the
same run, and the training steps' durations during each case.

`--blas-threads N` sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS before numpy loads.
`--nice-others N` (Linux) also repeats (d) after lowering the priority of every thread of the
process but the rendering one (TensorFlow's pools, the training thread) to nice N.
"""

from __future__ import annotations

import argparse
import os
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MODELS = {"mnist": (28, 1, 100), "cifar10": (32, 3, 128)}


def percentiles(seconds) -> dict[str, float]:
    import numpy as np

    ms = np.asarray(seconds) * 1e3
    return {"n": len(ms), "p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
            "p99": float(np.percentile(ms, 99)), "max": float(ms.max())}


def time_calls(render, latents, calls: int, rate: float | None = None,
               max_seconds: float | None = None) -> dict[str, float]:
    """Times `render(z)` over `calls` latents (after 20 warm-up calls), optionally paced."""
    for z in latents[:20]:
        render(z)
    times, start = [], time.perf_counter()
    period = 1.0 / rate if rate else 0.0
    for i in range(calls):
        t0 = time.perf_counter()
        render(latents[(20 + i) % len(latents)])
        t1 = time.perf_counter()
        times.append(t1 - t0)
        if max_seconds and t1 - start > max_seconds:
            break
        if period > t1 - t0:
            time.sleep(period - (t1 - t0))
    return percentiles(times)


def renderers(side: int, channels: int, latent: int):
    """Builds one generator and returns {name: render(z) -> numpy float images}.

    Every renderer returns float32 pixels as numpy: TensorFlow's include the copy out.
    """
    import tensorflow as tf

    from gan_studio.ml.generators.numpy_export import numpy_generator_from_keras
    from gan_studio.ml.networks.models import build_generator

    model = build_generator(side, side, channels, latent, seed=0)
    seconds = []
    for _ in range(5):  # what a weight snapshot costs the training thread
        t0 = time.perf_counter()
        numpy_generator = numpy_generator_from_keras(model)
        seconds.append(time.perf_counter() - t0)
    print(f"  {side}x{side}x{channels}: numpy_generator_from_keras takes "
          f"{sorted(seconds)[2] * 1e3:.1f} ms (median of 5)")
    compiled = tf.function(lambda z: model(z, training=False), autograph=False,
                           input_signature=[tf.TensorSpec([1, latent], tf.float32)])
    return {
        "numpy": numpy_generator,
        "tf.function": lambda z: compiled(z).numpy(),
        "predict_on_batch": lambda z: model.predict_on_batch(z),
    }


class BackgroundTraining:
    """Trains the MNIST GAN on random uint8 batches in a thread; records each step's seconds."""

    def __init__(self, batch_size: int = 256):
        import numpy as np

        from gan_studio.core.config import TrainConfig
        from gan_studio.ml.training.gan import GAN

        config = TrainConfig(dataset="mnist", batch_size=batch_size).resolved()
        self.gan = GAN(config, (28, 28, 1))
        rng = np.random.default_rng(0)
        self.batches = rng.integers(0, 256, (1, batch_size, 28, 28, 1), dtype=np.uint8)
        self.gan.train_steps(self.batches)  # traces and compiles before anything is timed
        self.step_seconds: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            t0 = time.perf_counter()
            self.gan.train_steps(self.batches).numpy()
            self.step_seconds.append(time.perf_counter() - t0)

    def start(self):
        self._thread.start()
        while not self.step_seconds:  # let it reach its steady state
            time.sleep(0.05)

    def take_steps(self) -> list[float]:
        steps, self.step_seconds = self.step_seconds, []
        return steps

    def stop(self):
        self._stop.set()
        self._thread.join()


def renice_other_threads(niceness: int) -> int:
    """Sets nice `niceness` on every thread of this process but the calling one (Linux)."""
    me, count = threading.get_native_id(), 0
    for tid in os.listdir("/proc/self/task"):
        if int(tid) != me:
            try:
                os.setpriority(os.PRIO_PROCESS, int(tid), niceness)
                count += 1
            except (ProcessLookupError, PermissionError):
                pass
    return count


def under_training(models, latents, training, args) -> None:
    """Renders each model through tf.function, then numpy, while `training` runs."""
    import numpy as np

    for name, render in models.items():
        print(f" {name}")
        stats = {}
        for kind in ("tf.function", "numpy"):
            training.take_steps()
            stats[kind] = time_calls(render[kind], latents[name], args.calls, args.rate,
                                     args.max_seconds)
            steps = training.take_steps()
            print(row(kind, stats[kind], None if kind == "tf.function" else stats["tf.function"])
                  + (f"   [training step median {np.median(steps) * 1e3:.0f} ms, "
                     f"{len(steps)} steps]" if steps else ""))


def row(label: str, stats: dict, baseline: dict | None) -> str:
    text = (f"  {label:<18} n={stats['n']:>4}  p50 {stats['p50']:8.2f}  p95 {stats['p95']:8.2f}"
            f"  p99 {stats['p99']:8.2f}  max {stats['max']:8.2f} ms")
    if baseline:
        text += (f"   x{stats['p50'] / baseline['p50']:.2f} p50,"
                 f" x{stats['p95'] / baseline['p95']:.2f} p95 vs tf.function")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rate", type=float, default=60.0,
                        help="renders per second while training runs (slider events)")
    parser.add_argument("--max-seconds", type=float, default=90.0,
                        help="stop a case under training after this long")
    parser.add_argument("--blas-threads", type=int, default=None)
    parser.add_argument("--nice-others", type=int, default=0)
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    if args.blas_threads:
        os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(args.blas_threads)

    import numpy as np

    from gan_studio.ml.runtime.device import import_tensorflow, versions

    import_tensorflow()
    print(f"load average {os.getloadavg()[0]:.2f}; {versions()}; numpy {np.__version__}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")
    rng = np.random.default_rng(0)
    models = {name: renderers(*shape) for name, shape in MODELS.items()}
    latents = {name: list(rng.standard_normal((64, 1, shape[2])).astype(np.float32))
               for name, shape in MODELS.items()}

    print(f"\nIdle, batch 1, {args.calls} calls back to back (ms):")
    for name, render in models.items():
        print(f" {name}")
        stats = {kind: time_calls(fn, latents[name], args.calls) for kind, fn in render.items()}
        for kind, result in stats.items():
            print(row(kind, result, None if kind == "tf.function" else stats["tf.function"]))
    if args.skip_training:
        return

    training = BackgroundTraining()
    training.start()
    time.sleep(5.0)
    alone = training.take_steps()
    print(f"\nWhile the MNIST GAN trains in a thread (batch 256; alone: median step "
          f"{np.median(alone) * 1e3:.0f} ms over {len(alone)} steps); renders paced at "
          f"{args.rate:g}/s, each case at most {args.max_seconds:g} s (ms):")
    under_training(models, latents, training, args)
    if args.nice_others:
        count = renice_other_threads(args.nice_others)
        print(f"\nThe same after setting nice {args.nice_others} on the process's {count} other "
              "threads (TensorFlow's pools, the training thread):")
        under_training(models, latents, training, args)
    training.stop()


if __name__ == "__main__":
    main()
