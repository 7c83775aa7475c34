"""The window's run model, without Qt: what it holds and what it tells its observers."""

import numpy as np

from gan_studio.core.config import TrainConfig
from gan_studio.core.runs.history import RunHistory
from gan_studio.core.runs.run_model import QUALITY, RUN, SAVED, TILE, TILE_LATENTS, RunModel


def _observed(model: RunModel) -> list:
    seen = []
    model.observe(lambda what: seen.append(set(what)))
    return seen


def test_an_opened_run_replaces_what_was_shown_and_a_new_run_clears_it(quality_report):
    model = RunModel()
    seen = _observed(model)
    model.select_tile(5)
    model.set_tile_latents(np.ones((16, 4)))
    config = TrainConfig(dataset="mnist")
    history = RunHistory("runs/a", config, quality=[quality_report(20, 1), quality_report(10, 0)])
    model.show_saved(history)
    assert seen[-1] == {RUN, SAVED, QUALITY, TILE, TILE_LATENTS}
    assert (model.run_dir, model.config, model.saved) == ("runs/a", config, history)
    assert [r.step for r in model.reports] == [10, 20]  # by step, whatever the file's order
    assert model.selected_tile == -1 and model.tile_latent(0) is None
    model.start_afresh()
    assert seen[-1] == {SAVED, QUALITY, TILE, TILE_LATENTS}
    assert model.saved is None and model.reports == () and model.run_dir == "runs/a"
    model.clear_run()
    assert seen[-1] == {RUN} and model.run_dir is None and model.config is None
    count = len(seen)
    model.clear_run()  # nothing shown: nothing changes
    assert len(seen) == count


def test_evaluations_a_run_went_back_past_are_dropped(quality_report):
    model = RunModel()
    seen = _observed(model)
    for step in (4, 8, 12):
        model.add_report(quality_report(step, step // 4 - 1))
    model.truncate_reports(8)
    assert [r.step for r in model.reports] == [4, 8] and seen[-1] == {QUALITY}
    count = len(seen)
    model.truncate_reports(8)  # nothing after step 8: no change to tell
    assert len(seen) == count
    model.add_report(quality_report(6, 1))  # the run went back to step 6
    assert [r.step for r in model.reports] == [4, 6]
    assert model.report_at(6).step == 6 and model.report_at(5) is None
    assert model.report_before(5).step == 4 and model.latest_report().step == 6


def test_the_selected_tile_and_the_latents_behind_the_tiles(quality_report):
    model = RunModel()
    seen = _observed(model)
    latents = np.arange(12, dtype=np.float32).reshape(3, 4)
    model.set_tile_latents(latents)
    assert seen == [{TILE_LATENTS}]
    model.set_tile_latents(latents.copy())  # each grid carries the same noise: no news
    assert seen == [{TILE_LATENTS}]
    model.select_tile(2)
    assert seen[-1] == {TILE} and model.selected_tile == 2
    latent = model.tile_latent(2)
    latent[0] = 99  # a copy: the model's own stays
    assert model.tile_latent(2)[0] == 8 and model.tile_latent(3) is None
    model.select_tile(2)
    assert len(seen) == 2  # the same tile again changes nothing
    model.select_tile(-5)
    assert model.selected_tile == -1
