"""The training panel's recipe levers reach the run's config, and follow presets and runs."""

import pytest

from gan_studio.core.config import PRESETS, TrainConfig
from gan_studio.core.levers import LEVERS


def test_recipe_levers_reach_the_new_runs_config(open_window, fake_engine):
    window = open_window(fake_engine)
    panel = window.training_panel
    recipe = panel.recipe
    assert recipe.loss.toolTip().lower().startswith(LEVERS["loss"].help[:20].lower())
    recipe.loss.setCurrentIndex(recipe.loss.findData("hinge"))
    recipe.spectral_norm.setChecked(True)
    recipe.d_learning_rate.setValue(0.0004)
    recipe.r1_gamma.setValue(0.5)
    recipe.augment.setCurrentIndex(recipe.augment.findData("on"))
    recipe.kernel_size.setCurrentIndex(recipe.kernel_size.findData(4))
    recipe.d_dropout.setValue(0.25)
    recipe.g_stride1_kernel.setCurrentIndex(recipe.g_stride1_kernel.findData(5))
    recipe.g_activation.setCurrentIndex(recipe.g_activation.findData("leaky_relu"))
    recipe.conditional.setChecked(True)
    config = panel.config().resolved()
    assert (config.loss, config.spectral_norm, config.d_learning_rate, config.r1_gamma,
            config.augment, config.kernel_size, config.d_dropout, config.g_stride1_kernel,
            config.g_activation, config.conditional) == (
        "hinge", True, 0.0004, 0.5, "on", 4, 0.25, 5, "leaky_relu", True)
    assert recipe.g_activation.toolTip().startswith("The generator's activation")
    recipe.d_learning_rate.setValue(0.0)  # "same as G"
    assert panel.config().resolved().d_learning_rate == panel.learning_rate.value()


def test_a_preset_fills_the_levers_and_the_settings_keep_them(open_window, fake_engine):
    window = open_window(fake_engine)
    panel = window.training_panel
    panel.preset.setCurrentIndex(panel.preset.findData("tutorial"))
    tutorial = PRESETS["tutorial"]
    assert panel.recipe.loss.currentData() == tutorial["loss"] == "bce"
    assert panel.recipe.kernel_size.currentData() == tutorial["kernel_size"] == 5
    assert panel.recipe.g_stride1_kernel.currentText() == "Same as G kernels"
    assert panel.recipe.g_activation.currentData() == "leaky_relu"
    assert panel.recipe.d_dropout.value() == tutorial["d_dropout"] == 0.3
    panel.preset.setCurrentIndex(panel.preset.findData("studio"))
    assert panel.recipe.d_dropout.text() == "off"  # MNIST: grey images
    assert panel.recipe.g_activation.currentData() == "relu"
    assert panel.recipe.g_stride1_kernel.currentText() == "3×3"
    panel.preset.setCurrentIndex(panel.preset.findData("tutorial"))
    panel.recipe.r1_gamma.setValue(2.0)
    panel.recipe.g_activation.setCurrentIndex(panel.recipe.g_activation.findData("relu"))
    values = panel.values()
    panel.recipe.r1_gamma.setValue(0.0)
    panel.recipe.g_activation.setCurrentIndex(panel.recipe.g_activation.findData("leaky_relu"))
    panel.set_values(values)
    assert panel.recipe.r1_gamma.value() == 2.0
    assert panel.recipe.g_activation.currentData() == "relu"


def test_showing_a_run_shows_its_levers(open_window, fake_engine, tmp_path):
    window = open_window(fake_engine)
    panel = window.training_panel
    config = TrainConfig(dataset="mnist", loss="hinge", spectral_norm=True, kernel_size=4,
                         augment="off", r1_gamma=1.0).resolved()
    panel.show_run(str(tmp_path / "run"), config)
    assert panel.recipe.loss.currentData() == "hinge" and panel.recipe.spectral_norm.isChecked()
    assert panel.recipe.d_learning_rate.text() == "same as G"
    assert not panel.recipe.isEnabled()  # a shown run's recipe is fixed
    panel.clear_run()
    assert panel.recipe.isEnabled()


def test_the_studio_levers_follow_the_data_until_the_user_changes_one(open_window, fake_engine):
    window = open_window(fake_engine)
    panel = window.training_panel
    recipe = panel.recipe
    panel.dataset.set_dataset("mnist")
    assert (recipe.loss.currentData(), recipe.spectral_norm.isChecked()) == ("bce", False)
    assert (panel.learning_rate.value(), recipe.d_dropout.value()) == (4e-4, 0.0)
    panel.dataset.set_dataset("cifar10")
    assert (recipe.loss.currentData(), recipe.spectral_norm.isChecked(),
            recipe.augment.currentData()) == ("hinge", True, "on")
    assert (panel.learning_rate.value(), recipe.d_dropout.value()) == (2e-4, 0.3)
    assert (recipe.g_activation.currentData(), recipe.g_stride1_kernel.currentData(),
            recipe.d_kernel_size.currentData()) == ("leaky_relu", 3, 3)
    assert panel.config().resolved().d_learning_rate == 4e-4
    panel.learning_rate.setValue(3e-4)  # the user's own learning rate stays ...
    panel.dataset.set_dataset("mnist")
    assert panel.learning_rate.value() == 3e-4 and recipe.loss.currentData() == "bce"
    panel.preset.setCurrentIndex(panel.preset.findData("paper"))
    panel.preset.setCurrentIndex(panel.preset.findData("studio"))  # ... until a preset is chosen
    assert panel.learning_rate.value() == 4e-4
    panel.dataset.set_dataset("cifar10")
    recipe.augment.setCurrentIndex(recipe.augment.findData("off"))  # the user's own choice ...
    panel.dataset.set_dataset("mnist")
    assert recipe.augment.currentData() == "off" and recipe.loss.currentData() == "bce"
    panel.preset.setCurrentIndex(panel.preset.findData("paper"))  # ... until a preset is chosen
    assert recipe.loss.currentData() == "bce"


# A value for each lever that `studio` shows for neither grey nor colour data, or (for the
# two-way levers) the colour one: then only the way back to grey tells the user's from the data's.
USERS_VALUES = {"loss": "hinge", "spectral_norm": True, "d_learning_rate": 3e-4, "r1_gamma": 1.0,
                "augment": "off", "kernel_size": 5, "g_stride1_kernel": 5,
                "g_activation": "leaky_relu", "d_kernel_size": 4, "d_dropout": 0.1,
                "mode_seeking": 1.0, "learning_rate": 3e-4}


def _set(panel, name, value):
    widget = panel.learning_rate if name == "learning_rate" else getattr(panel.recipe, name)
    if hasattr(widget, "findData"):
        widget.setCurrentIndex(widget.findData(value))
    elif hasattr(widget, "setChecked"):
        widget.setChecked(value)
    else:
        widget.setValue(value)


@pytest.mark.parametrize("lever", sorted(USERS_VALUES))
def test_a_lever_the_user_set_stays_while_the_others_follow_the_data(open_window, fake_engine,
                                                                     lever):
    from gan_studio.core.presets import preset_values

    panel = open_window(fake_engine).training_panel
    panel.dataset.set_dataset("mnist")
    assert set(panel.preset_levers.values()) == set(USERS_VALUES)  # every lever is tried
    _set(panel, lever, USERS_VALUES[lever])
    for dataset, channels in (("cifar10", 3), ("mnist", 1), ("cifar10", 3)):
        panel.dataset.set_dataset(dataset)
        shown = panel.preset_levers.values()
        expected = {name: value if value is not None else 0.0  # 0 shows "same as G"
                    for name, value in preset_values("studio", channels).items()
                    if name in shown}
        expected[lever] = USERS_VALUES[lever]
        assert shown == pytest.approx(expected), dataset


def test_ticking_conditional_does_not_stop_the_recipe_following_the_data(open_window,
                                                                         fake_engine):
    panel = open_window(fake_engine).training_panel
    recipe = panel.recipe
    panel.dataset.set_dataset("mnist")
    recipe.conditional.setChecked(True)
    panel.dataset.set_dataset("cifar10")
    assert (recipe.loss.currentData(), recipe.spectral_norm.isChecked(),
            panel.learning_rate.value(), recipe.g_activation.currentData()) == (
        "hinge", True, 2e-4, "leaky_relu")
    assert recipe.conditional.isChecked() and recipe.mode_seeking.isEnabled()
    config = panel.config().resolved()
    assert (config.conditional, config.loss, config.learning_rate) == (True, "hinge", 2e-4)
    panel.dataset.set_dataset("mnist")
    assert (recipe.loss.currentData(), panel.learning_rate.value()) == ("bce", 4e-4)
