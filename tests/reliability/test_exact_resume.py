"""Resume is exact: 2N steps straight and N + resume + N give bit-identical state.

With TensorFlow's op determinism on (float32, CPU), nothing may differ: the generator's and
discriminator's weights (spectral norm's power-iteration vectors included), the weight
average, every optimizer slot, the step and epoch counters and the random generator's state.
Op determinism is process-wide, so each arm runs in a subprocess of its own.
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from helpers import write_tiny_mnist

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent("""
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import numpy as np
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    from gan_studio.core.config import TrainConfig
    from gan_studio.ml.trainer import Trainer

    fields, plan, out = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
    trainer = Trainer.create(TrainConfig(**fields, max_steps=plan[0]))
    trainer.run()
    for steps in plan[1:]:
        trainer = Trainer.resume(trainer.run_dir, max_steps=steps)
        trainer.run()
    gan = trainer.gan
    state = {}
    for name, variables in [("g", gan.generator.weights), ("d", gan.discriminator.weights),
                            ("sampler", gan.sampler.weights),
                            ("g_opt", gan.g_optimizer.variables),
                            ("d_opt", gan.d_optimizer.variables)]:
        for i, v in enumerate(variables):
            # by position: a second Trainer in a process gets uniquified names (adam_1/...)
            state[f"{name}/{i}"] = np.asarray(v.numpy())
    state["step"], state["epoch"] = gan.step.numpy(), gan.epoch.numpy()
    state["rng"] = gan.rng.state.numpy()
    np.savez(out, **state)
""")


def _train(tmp_path, name, fields, plan):
    out = str(tmp_path / f"{name}.npz")
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(fields), json.dumps(plan),
                           out], capture_output=True, text=True, env=env, timeout=500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with np.load(out) as f:
        return {key: f[key] for key in f.files}


@pytest.mark.parametrize("levers", [
    {},  # the grey recipe: BCE, augmentation (a 48-image set is small), weight average
    {"loss": "hinge", "spectral_norm": True, "d_learning_rate": 4e-4, "steps_per_call": 2},
], ids=["grey-recipe", "colour-levers-two-steps-per-call"])
def test_straight_and_resumed_runs_are_bit_identical(tmp_path, levers):
    data = tmp_path / "data"
    write_tiny_mnist(str(data))
    fields = {"dataset": "mnist", "data_dir": str(data), "runs_dir": str(tmp_path / "runs"),
              "batch_size": 8, "epochs": 3, "grid_size": 2, "seed": 5,
              "precision": "float32", "quality_every_minutes": 0, **levers}
    straight = _train(tmp_path, "straight", fields, [8])
    resumed = _train(tmp_path, "resumed", fields, [4, 8])
    assert straight.keys() == resumed.keys()
    assert int(straight["step"]) == 8 and len(straight) > 20
    different = [key for key in straight
                 if not np.array_equal(straight[key], resumed[key])]
    assert different == []
