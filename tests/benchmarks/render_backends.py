"""One render of each default generator size, by the numpy copy and by OpenVINO.

    python tests/benchmarks/render_backends.py [--repeats 40]

Builds the default architecture of each size (28 px grey, 32 px colour, 64 and 128 px colour
folder generators; 4x4 kernels, untrained but with weights scaled so that images vary), copies
it to numpy as the explorer does, compiles that copy with OpenVINO (the optional extra), checks
that both draw the same pixels, and prints each backend's median render time for one latent on
one and on two threads. Run it with `ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell` for what
an AVX2-only CPU runs. Not a CI test.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

SIZES = {"28 px": (28, 1, 100), "32 px": (32, 3, 128), "64 px": (64, 3, 100),
         "128 px": (128, 3, 100)}


def median_ms(render, repeats: int) -> float:
    render()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000


def both(numpy_copy, compiled, z, threads: int, repeats: int) -> list[float]:
    """[numpy copy, OpenVINO] median ms of rendering `z` on `threads` threads."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(threads, user_api="blas"):
        numpy_ms = median_ms(lambda: numpy_copy.render_uint8(z), repeats)
    return [numpy_ms, median_ms(lambda: compiled.render_uint8(z, threads=threads), repeats)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    import keras
    import openvino

    from gan_studio.core.numpy_generator.openvino_renderer import OpenVinoRenderer
    from gan_studio.ml.generators.numpy_export import numpy_generator_from_keras
    from gan_studio.ml.networks.models import build_generator

    print(f"OpenVINO {openvino.__version__}")
    print(f"{'':8} {'numpy 1':>9} {'OpenVINO 1':>11} {'numpy 2':>9} {'OpenVINO 2':>11}"
          "   (ms, median of one render; threads)   pixels apart")
    for name, (side, channels, latent) in SIZES.items():
        keras.utils.set_random_seed(0)
        model = build_generator(side, side, channels, latent, seed=0, kernel_size=4)
        for layer in model.layers:
            if layer.weights and "kernel" in layer.weights[0].path:
                layer.weights[0].assign(layer.weights[0] * 3.0)
        numpy_copy = numpy_generator_from_keras(model)
        compiled = OpenVinoRenderer(numpy_copy, threads=(1, 2))
        z = np.random.default_rng(0).standard_normal((4, latent)).astype(np.float32)
        apart = np.abs(numpy_copy.render_uint8(z).astype(int)
                       - compiled.render_uint8(z).astype(int))
        times = []
        for threads in (1, 2):
            times += both(numpy_copy, compiled, z[:1], threads, args.repeats)
        print(f"{name:8} {times[0]:9.2f} {times[1]:11.2f} {times[2]:9.2f} {times[3]:11.2f}"
              f"   {'':38} max {apart.max()}, {np.mean(apart > 0):.3%} of them")


if __name__ == "__main__":
    main()
