"""Each lever of the training recipe does what it says."""

import types

import numpy as np
import pytest

from gan_studio.core.config import TrainConfig, augmentation_enabled
from gan_studio.ml.training.trainer import Trainer


def test_hinge_losses_on_known_logits():
    from gan_studio.ml.networks.losses import adversarial_losses

    real = np.array([[2.0], [0.5], [-1.0]], np.float32)
    fake = np.array([[-2.0], [0.0], [1.5]], np.float32)
    g, d = adversarial_losses("hinge", real, fake)
    # D: mean(relu(1 - real)) = (0 + 0.5 + 2) / 3; mean(relu(1 + fake)) = (0 + 1 + 2.5) / 3
    assert float(d) == pytest.approx(2.5 / 3 + 3.5 / 3)
    assert float(g) == pytest.approx(-(-2.0 + 0.0 + 1.5) / 3)


def test_bce_losses_on_known_logits():
    from gan_studio.ml.networks.losses import adversarial_losses

    real = np.zeros((4, 1), np.float32)
    fake = np.zeros((4, 1), np.float32)
    g, d = adversarial_losses("bce", real, fake)
    assert float(d) == pytest.approx(2 * np.log(2), rel=1e-5)
    assert float(g) == pytest.approx(np.log(2), rel=1e-5)
    with pytest.raises(ValueError, match="unknown loss"):
        adversarial_losses("wasserstein", real, fake)


def test_spectral_norm_keeps_the_largest_singular_value_near_one():
    import keras

    from gan_studio.ml.networks.models import build_discriminator

    def largest_singular_value(kernel):
        kernel = np.asarray(kernel)
        return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]

    d = build_discriminator(28, 28, 1, spectral_norm=True, seed=0)
    wrapped = [layer for layer in d.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == 3  # two convolutions and the logit layer
    for layer in wrapped:  # weights as an unconstrained training could leave them
        kernel = np.asarray(layer.layer.kernel)
        layer.layer.kernel.assign(kernel * (4.0 / largest_singular_value(kernel)))
    assert all(largest_singular_value(layer.layer.kernel) > 3 for layer in wrapped)
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype(np.float32)
    for _ in range(30):  # each training call runs one power iteration
        d(x, training=True)
    for layer in wrapped:
        assert largest_singular_value(layer.layer.kernel) == pytest.approx(1.0, abs=0.05)


def test_augmentation_is_differentiable_and_random_per_image():
    import tensorflow as tf

    from gan_studio.ml.networks.augment import augment

    rng = tf.random.Generator.from_seed(0)
    images = tf.constant(np.random.default_rng(1).uniform(-1, 1, (6, 32, 32, 3)), tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(images)
        out = augment(images, "color,translation,cutout", rng)
        total = tf.reduce_sum(out * out)
    grads = tape.gradient(total, images)
    assert out.shape == images.shape
    assert grads is not None and float(tf.reduce_sum(tf.abs(grads))) > 0
    # Cut-out blanks a square of half the side: about a quarter of each image gets no gradient.
    with tf.GradientTape() as tape:
        tape.watch(images)
        total = tf.reduce_sum(augment(images, "cutout", rng))
    zero_share = float(tf.reduce_mean(tf.cast(tape.gradient(total, images) == 0, tf.float32)))
    assert 0.1 < zero_share < 0.3
    # Each image draws its own augmentation: two copies of one image come out different.
    same = tf.repeat(images[:1], 2, axis=0)
    a = augment(same, "translation,cutout", rng).numpy()
    assert not np.allclose(a[0], a[1])
    with pytest.raises(ValueError, match="unknown augmentation"):
        augment(images, "rotate", rng)


def test_translation_shifts_without_changing_content():
    import tensorflow as tf

    from gan_studio.ml.networks.augment import augment

    image = np.zeros((1, 16, 16, 1), np.float32)
    image[0, 8, 8, 0] = 1.0
    out = augment(tf.constant(np.repeat(image, 20, axis=0)), "translation",
                  tf.random.Generator.from_seed(3)).numpy()
    # The dot moves by at most 2 pixels (1/8 of 16) and is never lost.
    assert np.allclose(out.sum(axis=(1, 2, 3)), 1.0)
    ys, xs = np.nonzero(out[..., 0])[1:]
    assert np.all(np.abs(ys - 8) <= 2) and np.all(np.abs(xs - 8) <= 2)
    assert len(set(zip(ys, xs))) > 3


def test_the_discriminator_sees_augmented_real_and_fake_images(tiny_config):
    """Spy on the discriminator's input: with augmentation the real half is no longer the data."""
    from gan_studio.ml.training.gan import GAN

    for spectral_norm in (False, True):  # D called on each half, or once on both
        seen = {}
        for augment in (False, True):
            config = tiny_config.resolved()
            config.spectral_norm = spectral_norm
            gan = GAN(config, (28, 28, 1), augment=augment)
            original = gan._augmented
            calls = seen.setdefault(augment, [])
            gan._augmented = lambda images, original=original, calls=calls: calls.append(
                original(images)) or calls[-1]
            real = np.full((1, 4, 28, 28, 1), 255, np.uint8)
            gan._train_steps(real)  # eagerly, so that the spy sees values
            out = np.concatenate([images.numpy() for images in seen[augment]])
            assert len(seen[augment]) == (1 if spectral_norm else 2)
            real_half, fake_half = out[:4], out[4:]
            if augment:
                assert not np.allclose(real_half, 1.0)  # colour, shifts and cut-outs moved them
                assert (real_half == 0).mean() > 0.1  # cut-out squares (zeros) on the real...
                assert (fake_half == 0).mean() > 0.1  # ... and on the generated ones alike
            else:
                assert np.allclose(real_half, 1.0)


def test_augment_auto_follows_the_data_set_size():
    config = TrainConfig(augment="auto")
    assert augmentation_enabled(config, 500)
    assert not augmentation_enabled(config, 60000)
    assert augmentation_enabled(TrainConfig(augment="on"), 60000)
    assert not augmentation_enabled(TrainConfig(augment="off"), 10)


def test_r1_runs_every_r1_every_steps_and_moves_the_discriminator(tiny_config):
    from gan_studio.ml.training.gan import GAN

    config = tiny_config.resolved()
    config.r1_gamma, config.r1_every = 10.0, 2
    gan = GAN(config, (28, 28, 1))
    calls = []
    original = gan.regularize
    gan.regularize = lambda batch: calls.append(1) or original(batch)
    batch = np.random.default_rng(0).integers(0, 255, (1, 8, 28, 28, 1)).astype(np.uint8)
    for step in range(5):
        gan.train(batch, step)
    assert len(calls) == 2  # after steps 2 and 4
    before = [w.copy() for w in gan.discriminator.get_weights()]
    penalty = float(gan.regularize(batch))  # the last batch of a call, as `train` passes it
    assert penalty > 0
    assert any(not np.allclose(a, b) for a, b in zip(before, gan.discriminator.get_weights()))


def test_ttur_gives_the_discriminator_its_own_learning_rate(tiny_config):
    from gan_studio.ml.training.gan import GAN

    tiny_config.learning_rate, tiny_config.d_learning_rate = 1e-4, 4e-4
    gan = GAN(tiny_config.resolved(), (28, 28, 1))
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(4e-4)
    same = GAN(TrainConfig(dataset="mnist", learning_rate=3e-4).resolved(), (28, 28, 1))
    assert float(same.d_optimizer.learning_rate) == pytest.approx(3e-4)


def test_kernel_size_changes_the_generator_and_keeps_its_output_shape():
    from gan_studio.ml.networks.models import build_generator

    for side, channels in ((28, 1), (32, 3), (64, 3)):
        g = build_generator(side, side, channels, 16, kernel_size=4)
        assert g.output_shape == (None, side, side, channels)
        assert g.get_layer("to_image").kernel.shape[:2] == (4, 4)


def test_the_generators_activation_and_stride_1_kernel_change_what_they_say():
    import keras

    from gan_studio.ml.networks.models import build_generator, generator_for

    for side, channels in ((28, 1), (32, 3), (64, 3)):
        g = build_generator(side, side, channels, 16, kernel_size=4, activation="relu",
                            stride1_kernel=3)
        assert g.output_shape == (None, side, side, channels)
        kernels = {layer.strides[0]: set() for layer in g.layers if hasattr(layer, "strides")}
        for layer in g.layers:
            if isinstance(layer, keras.layers.Conv2DTranspose):
                kernels[layer.strides[0]].add(layer.kernel.shape[0])
        assert kernels == {1: {3}, 2: {4}}  # only the layers that keep the size
        assert not [layer for layer in g.layers if isinstance(layer, keras.layers.LeakyReLU)]
        relus = [layer for layer in g.layers if isinstance(layer, keras.layers.ReLU)]
        assert len(relus) == len([layer for layer in g.layers if layer.name.endswith("_bn")])
    z = np.random.default_rng(0).standard_normal((2, 16)).astype("float32")
    relu = keras.Model(g.input, g.get_layer("project_relu").output)(z).numpy()
    assert relu.min() == 0.0  # clipped at zero, where leaky ReLU lets negatives through
    leaky = build_generator(28, 28, 1, 16, seed=0)
    assert leaky.get_layer("project_lrelu").negative_slope == pytest.approx(0.3)
    assert {layer.kernel.shape[0] for layer in leaky.layers
            if isinstance(layer, keras.layers.Conv2DTranspose)} == {5}  # 0: kernel_size
    for preset, expected in (("studio", ("deconv0_relu", 3)), ("tutorial", ("deconv0_lrelu", 5))):
        g = generator_for(TrainConfig(dataset="mnist", preset=preset).resolved(), (28, 28, 1))
        assert g.get_layer(expected[0]) and g.get_layer("deconv0").kernel.shape[0] == expected[1]


def test_d_dropout_sets_the_discriminators_dropout_and_zero_builds_none():
    from gan_studio.ml.networks.models import build_discriminator, discriminator_for

    x = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
    plain = build_discriminator(28, 28, 1, seed=0, dropout=0.0)
    assert not [layer for layer in plain.layers if "dropout" in layer.name]
    np.testing.assert_array_equal(plain(x, training=True), plain(x, training=True))
    dropping = build_discriminator(28, 28, 1, seed=0, dropout=0.5)
    assert [layer.rate for layer in dropping.layers if "dropout" in layer.name] == [0.5, 0.5]
    assert not np.allclose(dropping(x, training=True), dropping(x, training=True))
    np.testing.assert_array_equal(dropping(x), dropping(x))  # off outside training
    for preset, rates in (("studio", []), ("tutorial", [0.3, 0.3])):
        d = discriminator_for(TrainConfig(dataset="mnist", preset=preset).resolved(), (28, 28, 1))
        assert [layer.rate for layer in d.layers if "dropout" in layer.name] == rates


@pytest.mark.slow
def test_every_lever_trains_and_resumes(tiny_config):
    tiny_config.max_steps = 4
    tiny_config.loss, tiny_config.spectral_norm = "hinge", True
    tiny_config.augment, tiny_config.r1_gamma, tiny_config.r1_every = "on", 1.0, 2
    tiny_config.kernel_size, tiny_config.d_learning_rate = 4, 4e-4
    trainer = Trainer.create(tiny_config)
    assert trainer.run() == "finished"
    resumed = Trainer.resume(trainer.run_dir, max_steps=6)
    assert resumed.run() == "finished"
    saved = TrainConfig.load(f"{trainer.run_dir}/config.json")
    assert (saved.loss, saved.spectral_norm, saved.kernel_size) == ("hinge", True, 4)
    from gan_studio.ml.generators.export import generator_from_run

    assert generator_from_run(trainer.run_dir).get_layer("to_image").kernel.shape[:2] == (4, 4)


def write_image_folder(folder, count, side=32, seed=0):
    from PIL import Image

    rng = np.random.default_rng(seed)
    for cls in ("cats", "dogs"):
        (folder / cls).mkdir(parents=True)
    for i in range(count):
        pixels = rng.integers(0, 255, (side, side, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / ("cats", "dogs")[i % 2] / f"{i}.png")
    return str(folder)


@pytest.mark.slow
def test_a_folder_run_is_sized_by_images_seen_and_checkpoints_by_rounds(tmp_path):
    from gan_studio.core.config import DEFAULT_MINUTES, FOLDER_IMAGES, epochs_per_round
    from gan_studio.core.runs.layout import list_checkpoints
    from gan_studio.ml.training.data import fit_config_to_data, resume_settings

    folder = write_image_folder(tmp_path / "art", 40)
    config = TrainConfig(dataset=folder, runs_dir=str(tmp_path / "runs"), batch_size=8,
                         image_size=32, max_steps=12, grid_size=2, quality_every_minutes=0)
    assert config.resolved().epochs is None  # a length in steps: no epoch target
    trainer = Trainer.create(config)
    assert trainer.run() == "finished"
    saved = TrainConfig.load(f"{trainer.run_dir}/config.json")
    assert saved.epochs is None and saved.max_steps == 12 and saved.channels == 3
    assert epochs_per_round(40) > 2
    # Epochs of 5 steps end at steps 5 and 10, inside one round: only the final checkpoint.
    assert [step for step, _ in list_checkpoints(trainer.run_dir)] == [12]
    # Resumed past its steps, it goes on to as many epochs as make FOLDER_IMAGES images seen
    # (50 epochs of 40 images would be 250 steps), set once its size is known.
    resumed, _, _ = resume_settings(trainer.run_dir, None, None, None)
    assert resumed.max_steps == 0 and resumed.epochs is None
    data = types.SimpleNamespace(images=np.zeros((40, 32, 32, 3), np.uint8))
    assert fit_config_to_data(resumed, data) and resumed.epochs == FOLDER_IMAGES // 40
    # Without a length, any data trains for the default time.
    assert TrainConfig(dataset="mnist").resolved().max_minutes == DEFAULT_MINUTES


@pytest.mark.slow
@pytest.mark.parametrize("side", [64, 128])
def test_rgb_folders_at_64_and_128_px_train_with_the_default_recipe(tmp_path, side):
    folder = write_image_folder(tmp_path / "art", 8, side=side)
    config = TrainConfig(dataset=folder, runs_dir=str(tmp_path / "runs"), batch_size=4,
                         image_size=side, max_steps=2, grid_size=2, quality_every_minutes=0)
    trainer = Trainer.create(config)
    assert trainer.run() == "finished"
    assert trainer.gan.generator.output_shape == (None, side, side, 3)
    assert trainer.gan.augment_policy  # 8 images: augmented by default
    # DCGAN-like: every generator stage above the start doubles the side (stride 2).
    strides = [layer.strides[0] for layer in trainer.gan.generator.layers
               if layer.__class__.__name__ == "Conv2DTranspose"]
    assert 2 ** strides.count(2) * 8 == side
    from gan_studio.ml.generators.export import generator_from_run

    assert generator_from_run(trainer.run_dir).output_shape == (None, side, side, 3)


def test_mode_seeking_penalty_grows_as_a_class_stops_varying():
    from gan_studio.ml.training.gan import mode_seeking_penalty

    rng = np.random.default_rng(0)
    noise = rng.standard_normal((8, 16)).astype(np.float32)
    varied = rng.uniform(-1, 1, (8, 4, 4, 1)).astype(np.float32)
    collapsed = np.concatenate([varied[:4], varied[:4] + 0.01])  # pairs (i, i + 4) alike
    low, high = float(mode_seeking_penalty(varied, noise)), float(
        mode_seeking_penalty(collapsed, noise))
    # mean |z1 - z2| of N(0, 1) is 2 / sqrt(pi); mean |x1 - x2| of U(-1, 1) is 2 / 3
    assert low == pytest.approx((2 / np.sqrt(np.pi)) / (2 / 3), rel=0.3)
    assert high > 50 * low


def test_mode_seeking_pairs_one_class_and_pulls_its_images_apart(tiny_config, monkeypatch):
    """With mode seeking the fakes' second half is drawn for the first half's classes (what D
    judges them as), and the penalty is in the generator's loss."""
    import tensorflow as tf

    from gan_studio.ml.training.gan import GAN

    config = tiny_config.resolved()
    config.conditional, config.num_classes = True, 10
    images = np.random.default_rng(0).integers(0, 255, (1, 8, 28, 28, 1)).astype(np.uint8)
    labels = np.arange(8, dtype=np.int32)[None]
    assert config.mode_seeking == 0.5  # studio's
    for preset in ("tutorial", "paper"):  # ... the seed's presets train without
        assert TrainConfig(dataset="mnist", preset=preset).resolved().mode_seeking == 0.0
    losses, seen = {}, {}
    for weight in (0.0, 1.0):
        config.mode_seeking = weight
        gan = GAN(config, (28, 28, 1))
        judge, calls = gan._judge, seen.setdefault(weight, [])
        gan._judge = lambda real, fake, labels, fake_labels=None, judge=judge, calls=calls: (
            calls.append(np.asarray(labels if fake_labels is None else fake_labels))
            or judge(real, fake, labels, fake_labels))
        batches = (tf.constant(images), tf.constant(labels))
        losses[weight] = float(gan._train_steps(batches)[0][0])  # eagerly
    np.testing.assert_array_equal(seen[0.0][0], labels[0])
    np.testing.assert_array_equal(seen[1.0][0], [0, 1, 2, 3, 0, 1, 2, 3])
    assert losses[1.0] > losses[0.0] + 0.1  # the penalty (about 1 at the start) is in G's loss
