"""Class-conditional runs end to end: train, grid, resume, export, load, sample, evaluate."""

import json
import os

import numpy as np
import pytest
from helpers import Recorder

from gan_studio.core.config import TrainConfig
from gan_studio.core.runs.layout import list_checkpoints
from gan_studio.ml.training.trainer import Trainer, TrainingError


@pytest.fixture
def conditional_config(tiny_config):
    tiny_config.conditional = True
    tiny_config.max_steps = 2
    return tiny_config


@pytest.mark.slow
def test_conditional_round_trip(conditional_config, tmp_path):
    from gan_studio.ml.generators.export import (
        export_generator,
        generate_images,
        generator_from_run,
        load_generator,
        num_classes_of,
    )

    recorder = Recorder()
    trainer = Trainer.create(conditional_config, callbacks=recorder)
    assert trainer.run() == "finished"
    saved = TrainConfig.load(os.path.join(trainer.run_dir, "config.json"))
    assert saved.conditional and saved.num_classes == 10 and len(saved.class_names) == 10
    # One row per class (10), grid_size (2) columns, each row drawn for its class.
    grid = recorder.grids[-1]
    assert grid.tiles.shape == (20, 28, 28, 1) and grid.image.shape == (10 * 28, 2 * 28, 1)
    assert grid.columns == 2 and list(grid.labels) == list(np.repeat(np.arange(10), 2))
    assert grid.latents.shape == (20, 100)

    resumed = Trainer.resume(trainer.run_dir, max_steps=3)
    assert resumed.run() == "finished"
    assert resumed.gan.num_classes == 10 and list_checkpoints(trainer.run_dir)[-1][0] == 3
    np.testing.assert_array_equal(resumed.gan.sample_labels.numpy(), grid.labels)

    path = export_generator(trainer.run_dir, str(tmp_path / "g.keras"))
    model = load_generator(path)
    assert [i.name for i in model.inputs] == ["z", "class"] and num_classes_of(model) == 10
    from_run = generator_from_run(trainer.run_dir)
    for a, b in zip(model.get_weights(), from_run.get_weights()):
        np.testing.assert_array_equal(a, b)
    threes = generate_images(model, 4, seed=1, classes=3)
    assert threes.shape == (4, 28, 28) and threes.dtype == np.uint8
    per_image = generate_images(model, 4, seed=1, classes=[3, 3, 3, 3])
    np.testing.assert_array_equal(threes, per_image)
    assert not np.array_equal(threes, generate_images(model, 4, seed=1, classes=5))
    mix = generate_images(model, 4, seed=1)  # no class: an even mix
    np.testing.assert_array_equal(mix, generate_images(model, 4, seed=1, classes=[0, 1, 2, 3]))
    with pytest.raises(ValueError, match="0..9"):
        generate_images(model, 2, classes=10)


def test_unlabelled_data_cannot_train_a_conditional_run(tmp_path):
    from PIL import Image

    folder = tmp_path / "flat"
    folder.mkdir()
    for i in range(8):
        Image.new("L", (28, 28), i * 30).save(folder / f"{i}.png")
    config = TrainConfig(dataset=str(folder), runs_dir=str(tmp_path / "runs"), batch_size=4,
                         image_size=28, max_steps=1, conditional=True)
    trainer = Trainer.create(config)
    with pytest.raises(TrainingError, match="no class labels") as caught:
        trainer.run()
    message = str(caught.value)
    assert "\n" not in message and "subfolders" in message and "labels file" in message
    assert not os.path.exists(trainer.run_dir)


@pytest.mark.slow
def test_unconditional_runs_of_before_conditioning_still_restore(tiny_config):
    from gan_studio.ml.generators.export import generate_images, generator_from_run, num_classes_of

    tiny_config.max_steps = 1
    trainer = Trainer.create(tiny_config)
    trainer.run()
    assert trainer.gan.sample_labels is None
    # A config.json written before the conditional fields existed.
    config_path = os.path.join(trainer.run_dir, "config.json")
    with open(config_path) as f:
        data = json.load(f)
    for name in ("conditional", "num_classes", "class_names"):
        data.pop(name)
    with open(config_path, "w") as f:
        json.dump(data, f)
    generator = generator_from_run(trainer.run_dir)
    assert num_classes_of(generator) == 0 and len(generator.inputs) == 1
    for a, b in zip(generator.get_weights(), trainer.gan.sampler.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert generate_images(generator, 2).shape == (2, 28, 28)
    with pytest.raises(ValueError, match="unconditional"):
        generate_images(generator, 2, classes=1)
    resumed = Trainer.resume(trainer.run_dir, max_steps=2)
    assert resumed.run() == "finished"


def test_class_accuracy_scores_each_class(conditional_config):
    from gan_studio.ml.generators.export import generator_from_run
    from gan_studio.ml.quality import FeatureBudget, class_accuracy, meter_for_config

    conditional_config.max_steps = 1
    trainer = Trainer.create(conditional_config)
    trainer.run()
    config = TrainConfig.load(os.path.join(trainer.run_dir, "config.json"))
    meter = meter_for_config(config, count=100,
                             budget=FeatureBudget(epochs=1, max_batches=2, batch_size=16))
    accuracy = class_accuracy(meter, generator_from_run(trainer.run_dir), per_class=3)
    assert accuracy.shape == (10,) and np.all((accuracy >= 0) & (accuracy <= 1))
    assert np.allclose(accuracy * 3, np.round(accuracy * 3))  # whole images out of 3
    report = meter.evaluate(trainer.gan.sampler)  # the meter takes conditional generators
    assert report.samples == 100
    # ... and scores them within each class: 10 images asked for each of the 10
    assert len(report.class_diversity) == 10 and 0 <= report.class_accuracy <= 1
    ratios = np.array(report.class_diversity)
    assert np.all(ratios[np.isfinite(ratios)] >= 0)  # NaN: the classifier names none real
    with pytest.raises(ValueError, match="conditional"):
        class_accuracy(meter, _unconditional(), per_class=1)


def _unconditional():
    from gan_studio.ml.networks.models import build_generator

    return build_generator(28, 28, 1, 8)
