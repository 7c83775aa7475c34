"""'Use all N GPUs' appears where TensorFlow sees several GPUs, and trains a new run mirrored."""

import json

from gan_studio.core.config import TrainConfig


def test_the_option_shows_only_with_several_gpus_and_picks_the_strategy(open_window, fake_engine):
    window = open_window(fake_engine)
    panel = window.training_panel
    option = panel.all_gpus
    window.tf_loader.gpus = 1
    window._on_device("GPU: one card")  # what the loader reports once TensorFlow is loaded
    assert not option.isVisible()
    option.setChecked(True)  # (hidden: it changes nothing)
    assert panel.config().resolved().strategy == "default"
    window.tf_loader.gpus = 4
    window._on_device("GPU: NVIDIA H100 (x4)")
    assert option.isVisible() and option.text() == "Use all 4 GPUs"
    assert panel.config().resolved().strategy == "mirrored"
    saved = panel.values()  # the window's settings keep the choice
    option.setChecked(False)
    assert panel.config().resolved().strategy == "default"
    panel.set_values(saved)
    assert option.isChecked()
    assert "MirroredStrategy" in option.toolTip()


def test_a_shown_run_shows_its_strategy(open_window, fake_engine, finished_run):
    window = open_window(fake_engine)
    option = window.training_panel.all_gpus
    option.set_gpu_count(2)
    config = TrainConfig(dataset="mnist", strategy="mirrored").resolved()
    window.training_panel.show_run(str(finished_run), config)
    assert option.isChecked()


def test_the_window_continues_a_multi_worker_run_on_this_machine_alone(tmp_path):
    from gan_studio.workers.training.worker import single_machine_strategy

    for strategy, expected in (("multiworker", "default"), ("mirrored", None),
                               ("default", None)):
        (tmp_path / "config.json").write_text(json.dumps({"dataset": "mnist",
                                                           "strategy": strategy}))
        assert single_machine_strategy(str(tmp_path)) == expected
    (tmp_path / "config.json").write_text("{torn")
    assert single_machine_strategy(str(tmp_path)) is None  # the trainer names the problem
