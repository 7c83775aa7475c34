"""A run's events carry its levers through TensorBoard's HParams plugin."""

import glob
import os

from gan_studio.core.config import TrainConfig
from gan_studio.core.quality.report import QualityReport, read_quality
from gan_studio.core.runs.layout import CONFIG_FILE
from gan_studio.ml.training.outputs import RunOutputs, hparams_of, log_final_quality


def _hparams_events(run_dir):
    """The HParams plugin's summaries in the run's event files: (tag, plugin content)."""
    from tensorboard.plugins.hparams import plugin_data_pb2

    from gan_studio.ml.runtime.device import import_tensorflow

    tf = import_tensorflow()
    found = []
    for path in sorted(glob.glob(os.path.join(run_dir, "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "hparams":
                    data = plugin_data_pb2.HParamsPluginData.FromString(
                        value.metadata.plugin_data.content)
                    found.append((value.tag, data))
    return found


def test_a_run_s_levers_reach_the_hparams_plugin(tmp_path):
    config = TrainConfig(dataset="mnist", learning_rate=3e-4, loss="hinge").resolved()
    config.save(tmp_path / CONFIG_FILE)
    outputs = RunOutputs(str(tmp_path))  # reads config.json, as the trainer leaves it
    outputs.close()
    events = dict(_hparams_events(str(tmp_path)))
    start = events["_hparams_/session_start_info"].session_start_info
    assert start.hparams["learning_rate"].number_value == 3e-4
    assert start.hparams["loss"].string_value == "hinge"
    assert start.hparams["dataset"].string_value == "mnist"
    assert start.hparams["preset"].string_value == config.preset
    assert start.hparams["spectral_norm"].bool_value == config.spectral_norm
    assert start.group_name == os.path.basename(tmp_path)
    experiment = events["_hparams_/experiment"].experiment
    metrics = [m.name.tag for m in experiment.metric_infos]
    assert "quality/fd" in metrics
    assert {h.name for h in experiment.hparam_infos} == set(hparams_of(config))


def test_a_late_measurement_is_logged_as_the_trainer_logs_one(tmp_path):
    report = QualityReport(step=12, epoch=0, fd=4.5, kid=0.01, kid_error=0.0, diversity=0.7,
                           samples=100)
    log_final_quality(str(tmp_path), report)
    assert read_quality(tmp_path) == [report]
    from gan_studio.ml.runtime.device import import_tensorflow

    tf = import_tensorflow()
    tags = {(value.tag, event.step) for path in glob.glob(str(tmp_path / "events.out.*"))
            for event in tf.compat.v1.train.summary_iterator(path)
            for value in event.summary.value}
    assert ("quality/fd", 12) in tags


def test_without_the_hparams_plugin_the_run_still_writes_its_events(tmp_path, monkeypatch,
                                                                    caplog):
    import sys

    TrainConfig(dataset="mnist").resolved().save(tmp_path / CONFIG_FILE)
    monkeypatch.setitem(sys.modules, "tensorboard.plugins.hparams", None)  # import fails
    outputs = RunOutputs(str(tmp_path))
    outputs.close()
    monkeypatch.undo()
    assert _hparams_events(str(tmp_path)) == []
    assert "no HParams for" in caplog.text
