"""A checkpoint that cannot be written (here: a file-size limit, as a full disk behaves): one
line naming the folder, nothing torn left behind, the previous checkpoint intact."""

import os
import resource
import signal

import pytest
from helpers import Recorder

from gan_studio.core.runs.layout import list_checkpoints
from gan_studio.ml.checkpoints import readable_checkpoint
from gan_studio.ml.trainer import Trainer, TrainingError

LIMIT = 64 * 1024  # bytes: metrics, events and grids fit; a checkpoint (MBs) does not


@pytest.fixture
def file_size_limit():
    """Sets RLIMIT_FSIZE on demand (`limit()`), restored after the test."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, hard))

    yield limit
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    signal.signal(signal.SIGXFSZ, previous)


def test_a_checkpoint_that_cannot_be_written_stops_the_run_in_one_line(tiny_config,
                                                                       file_size_limit):
    tiny_config.max_steps = 3
    first = Trainer.create(tiny_config)
    first.run()  # ckpt-3, whole

    def report(progress):
        if progress.step >= 5:
            file_size_limit()  # the final save, at step 5, hits the limit

    resumed = Trainer.resume(first.run_dir, max_steps=5, callbacks=Recorder(report))
    with pytest.raises(TrainingError) as caught:
        resumed.run()
    message = str(caught.value)
    folder = os.path.join(first.run_dir, "checkpoints")
    assert "\n" not in message
    assert message.startswith(f"Cannot save the checkpoint of step 5 in {folder}")
    assert "last checkpoint is kept" in message
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
    assert [step for step, _ in list_checkpoints(first.run_dir)] == [3]
    assert not [name for name in os.listdir(folder) if "-5" in name or "_temp" in name]
    assert readable_checkpoint(first.run_dir)[0].endswith("ckpt-3")
