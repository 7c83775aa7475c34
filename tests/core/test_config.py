import json

import pytest

from gan_studio.core.config import PRESETS, ConfigError, TrainConfig


def test_presets_fill_unset_values_only():
    cfg = TrainConfig(dataset="mnist", preset="tutorial").resolved()
    assert (cfg.learning_rate, cfg.beta1, cfg.batch_size) == (1e-4, 0.9, 256)
    assert cfg.latent_dim == 100
    cfg = TrainConfig(dataset="cifar10", preset="paper", batch_size=64).resolved()
    assert (cfg.learning_rate, cfg.beta1, cfg.batch_size) == (2e-4, 0.5, 64)
    assert cfg.latent_dim == 128 and cfg.weight_init == PRESETS["paper"]["weight_init"]


def test_default_preset_on_grey_images_is_adam_at_4e_4_batches_of_32_and_4x4_kernels():
    cfg = TrainConfig(dataset="mnist").resolved()
    assert (cfg.preset, cfg.learning_rate, cfg.beta1, cfg.batch_size) == ("studio", 4e-4, 0.5, 32)
    assert cfg.weight_init == "normal_0.02"
    assert (cfg.kernel_size, cfg.augment, cfg.loss, cfg.spectral_norm) == (4, "auto", "bce", False)
    assert cfg.d_learning_rate == cfg.learning_rate and cfg.r1_gamma == 0
    assert cfg.d_dropout == 0.0  # grey images; colour keeps the seed's 0.3 (below)
    assert (cfg.g_activation, cfg.g_stride1_kernel) == ("relu", 3)  # the DCGAN paper's G


def test_the_seeds_presets_keep_the_seeds_models():
    for preset in ("tutorial", "paper"):
        cfg = TrainConfig(dataset="mnist", preset=preset).resolved()
        assert (cfg.kernel_size, cfg.augment, cfg.loss, cfg.spectral_norm, cfg.r1_gamma) == (
            5, "off", "bce", False, 0.0)
        assert cfg.d_dropout == 0.3
        assert (cfg.g_activation, cfg.g_stride1_kernel) == ("leaky_relu", 0)
    assert TrainConfig(dataset="mnist", preset="tutorial").resolved().batch_size == 256


def test_configs_written_before_the_recipe_levers_load_as_the_seeds_recipe(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"dataset": "mnist", "preset": "studio", "batch_size": 64, '
                    '"learning_rate": 0.0002, "beta1": 0.5, "weight_init": "normal_0.02", '
                    '"latent_dim": 100}')
    cfg = TrainConfig.load(path)
    assert (cfg.kernel_size, cfg.augment, cfg.loss, cfg.epochs) == (5, "off", "bce", 50)
    assert cfg.d_learning_rate == 0.0002
    assert cfg.d_dropout == 0.3  # and a resumed old run keeps its dropout
    assert (cfg.g_activation, cfg.g_stride1_kernel) == ("leaky_relu", 0)  # ... and its generator


def test_json_round_trip_is_atomic_and_exact(tmp_path):
    cfg = TrainConfig(dataset="/data/faces.zip", epochs=3, seed=7).resolved()
    path = tmp_path / "config.json"
    cfg.save(path)
    assert TrainConfig.load(path) == cfg
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]  # no temporary left


def test_unknown_keys_are_ignored_and_bad_values_refused(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"dataset": "mnist", "from_the_future": 1}))
    assert TrainConfig.load(path).dataset == "mnist"
    path.write_text(json.dumps({"dataset": "mnist", "epochs": 0}))
    with pytest.raises(ConfigError, match="epochs"):
        TrainConfig.load(path)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="cannot read"):
        TrainConfig.load(path)
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError):
        TrainConfig.load(path)
    with pytest.raises(ConfigError, match="no config"):
        TrainConfig.load(tmp_path / "missing.json")


@pytest.mark.parametrize("field,value", [("batch_size", 0), ("learning_rate", 2.0),
                                         ("beta1", 1.0), ("image_size", 50), ("preset", "x"),
                                         ("g_activation", "tanh"), ("g_stride1_kernel", 2)])
def test_validation_names_the_field(field, value):
    with pytest.raises(ConfigError, match=field if field != "preset" else "preset"):
        TrainConfig(**{field: value}).resolved()


def test_presets_set_the_generator_average_and_old_runs_load_without_one(tmp_path):
    from gan_studio.core.config import STUDIO_EMA

    assert TrainConfig(preset="studio").resolved().generator_ema == STUDIO_EMA
    assert TrainConfig(preset="tutorial").resolved().generator_ema == 0.0
    assert TrainConfig(preset="studio", generator_ema=0.0).resolved().generator_ema == 0.0
    saved = TrainConfig().resolved().to_dict()
    del saved["generator_ema"]  # a config.json written before the average existed
    path = tmp_path / "config.json"
    path.write_text(json.dumps(saved))
    assert TrainConfig.load(path).resolved().generator_ema == 0.0
    for bad in (1.0, -0.1, "0.9"):
        with pytest.raises(ConfigError, match="generator_ema"):
            TrainConfig(generator_ema=bad).resolved()


def test_studio_fits_its_recipe_to_colour_or_grey_images(tmp_path):
    from gan_studio.core.config import STUDIO_COLOUR

    def levers(cfg):
        return {name: getattr(cfg, name) for name in STUDIO_COLOUR}

    colour = {"loss": "hinge", "spectral_norm": True, "learning_rate": 2e-4,
              "d_learning_rate": 4e-4, "augment": "on", "d_dropout": 0.3,
              "g_activation": "leaky_relu", "g_stride1_kernel": 3, "d_kernel_size": 3}
    assert STUDIO_COLOUR == colour
    assert levers(TrainConfig(dataset="cifar10").resolved()) == colour
    assert levers(TrainConfig(dataset=str(tmp_path)).resolved()) == colour  # a folder: colour
    grey = levers(TrainConfig(dataset="mnist").resolved())
    assert grey == {"loss": "bce", "spectral_norm": False, "learning_rate": 4e-4,
                    "d_learning_rate": 4e-4, "augment": "auto", "d_dropout": 0.0,
                    "g_activation": "relu", "g_stride1_kernel": 3, "d_kernel_size": 5}
    assert levers(TrainConfig(dataset=str(tmp_path), channels=1).resolved()) == grey
    assert levers(TrainConfig(dataset="mnist", channels=3).resolved()) == colour
    # the user's choice wins, and the seed's presets stay the seed's on colour data too
    assert TrainConfig(dataset="cifar10", loss="bce").resolved().loss == "bce"
    for preset in ("tutorial", "paper"):
        cfg = TrainConfig(dataset="cifar10", preset=preset).resolved()
        assert (cfg.loss, cfg.spectral_norm, cfg.augment) == ("bce", False, "off")
