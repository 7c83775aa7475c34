"""Training killed or signalled: kill -9 at any moment of a checkpoint save costs at most the
save in progress, and SIGTERM or Ctrl-C stop `gan-studio train` with a complete checkpoint.

The kill -9 test forks its savers from one process that has loaded TensorFlow once (this file,
run as a script), so that its 36 kills cost a fraction of a second each rather than a
TensorFlow start each.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES, SHAPE = 48, (28, 28, 1)  # helpers.write_tiny_mnist's digits
MILESTONE_EVERY, BEST_EVERY = 10, 7  # steps: some saves also write epoch-N and best-N
DEADLINE = 120  # seconds to wait for any one thing a child reports (a bound, not a check)


# -- the saver, forked from the zygote once per kill ------------------------------------------
def _say(*words) -> None:
    os.write(1, (" ".join(str(w) for w in words) + "\n").encode())


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _injection(mode: str, arg: float):
    """Patches the save path so that the process kills itself at the point `mode` names.

    Returns a function called with the number of the save about to start (1, 2, ...): the
    injected kill fires in save 2 or later (save 1 completes, so the kill has a
    predecessor to fall back on in this very process).
    """
    from tensorflow.python.checkpoint import checkpoint_management
    from tensorflow.python.lib.io import file_io
    from tensorflow.python.ops import gen_io_ops

    armed = [False]
    if mode == "profile":  # at the k-th Python or C call event of a save, k a fraction of one
        events, target = [0], [None]

        def count(frame, event, arg_):
            events[0] += 1
            if target[0] is not None and events[0] >= target[0]:
                _die()

        def arm_profile(save):
            if save == 1:
                sys.setprofile(count)
            elif save == 2:
                target[0] = max(1, int(events[0] * arg))
                events[0] = 0
        return arm_profile

    merge = gen_io_ops.merge_v2_checkpoints

    def merging(checkpoint_prefixes, destination_prefix, *args, **kwargs):
        if armed[0] and mode == "before_index":  # shards written to <prefix>_temp, no index
            _die()
        result = merge(checkpoint_prefixes, destination_prefix, *args, **kwargs)
        if armed[0] and mode in ("index", "data"):
            # MergeV2Checkpoints writes <prefix>.index in place: cut it (or the data file,
            # as a file system that loses a rename could) at a fraction of its length.
            prefix = destination_prefix.numpy().decode()
            path = prefix + (".index" if mode == "index" else ".data-00000-of-00001")
            os.truncate(path, int(os.path.getsize(path) * arg))
            _die()
        return result

    gen_io_ops.merge_v2_checkpoints = merging
    record = checkpoint_management.update_checkpoint_state_internal

    def recording(*args, **kwargs):  # the checkpoint is complete, its list not yet updated
        if armed[0] and mode == "before_state":
            _die()
        return record(*args, **kwargs)

    checkpoint_management.update_checkpoint_state_internal = recording
    delete = file_io.delete_file

    def deleting(path):  # pruning the oldest checkpoint: its index gone, its data left
        delete(path)
        if armed[0] and mode == "mid_sweep":
            _die()

    file_io.delete_file = deleting

    def arm(save):
        armed[0] = save >= 2
    return arm


def _saver(run_dir: str, mode: str, arg: str, ready: int) -> None:
    """Restores the newest checkpoint that reads, reports it, then saves step after step.

    Each save first writes the step into a generator weight, so that a restore can tell
    whether what it read is that step's checkpoint whole.
    """
    import numpy as np

    from gan_studio.core.config import TrainConfig, augmentation_enabled
    from gan_studio.core.runs.layout import CONFIG_FILE
    from gan_studio.ml.runs.checkpoints import CheckpointStore, readable_checkpoint
    from gan_studio.ml.training.gan import GAN

    config = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE))
    gan = GAN(config, SHAPE, augmentation_enabled(config, IMAGES))
    prefix, skipped = readable_checkpoint(run_dir)  # in `Trainer.resume`'s order
    store = CheckpointStore(run_dir, gan.checkpoint, config.keep_checkpoints)
    store.restore(prefix)
    marker = gan.generator.trainable_variables[0]
    step = int(gan.step.numpy())
    _say("restored", step, len(skipped), float(np.asarray(marker).flat[0]))
    os.write(ready, b"r")  # a timer's kill counts from here
    arm = _injection(mode, float(arg))
    for save in range(1, 200 if mode == "timer" else 7):  # a timer child waits for its kill
        step += 1
        gan.step.assign(step)
        marker.assign(np.full(marker.shape, step, marker.dtype))
        arm(save)
        store.save(step, milestone=step % MILESTONE_EVERY == 0)
        if step % BEST_EVERY == 0:
            store.save_best(step)
        _say("saved", step)
    _say("not killed")  # the test fails on this line


def _zygote() -> None:
    """Loads TensorFlow once, then forks one `_saver` per line `run_dir mode arg` on stdin.

    Mode `timer` is killed by the zygote itself, `arg` seconds after its restore (the pid
    cannot have been reused: the child is reaped only after the kill).
    """
    import numpy  # noqa: F401
    import tensorflow  # noqa: F401

    import gan_studio.ml.runs.checkpoints  # noqa: F401
    import gan_studio.ml.training.gan  # noqa: F401

    for line in sys.stdin:
        run_dir, mode, arg = line.split()
        ready, told = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready)
            status = 0
            try:
                _saver(run_dir, mode, arg, told)
            except BaseException:
                import traceback

                traceback.print_exc()
                status = 1
            os._exit(status)
        os.close(told)
        if mode == "timer" and os.read(ready, 1):
            time.sleep(float(arg))
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(ready)
        _say("exit", os.waitstatus_to_exitcode(status))


# -- kill -9 at random moments of a save, and at chosen ones ---------------------------------
# What the newest checkpoint that reads must be after each kind of kill, as steps after the
# last one the child reported saved (or restored): the save in progress is lost or complete.
AFTER_KILL = {"timer": (0, 1), "profile": (0, 1), "before_index": (0,), "index": (0,),
              "data": (0,), "before_state": (1,), "mid_sweep": (1,)}
TORN = {"before_index": 0, "index": 1, "data": 1}  # newer checkpoints the restore passes over


def _kill_schedule(seed=13):
    """36 kills in a seeded order: 20 after a random delay (they land anywhere, C++ writes
    included), 8 at a random Python-level point of a save, and 8 at chosen points."""
    import numpy as np

    rng = np.random.default_rng(seed)
    kills = [("timer", round(d, 3)) for d in rng.uniform(0, 0.4, 20)]
    kills += [("profile", round(f, 3)) for f in rng.uniform(0.01, 0.99, 8)]
    kills += [("before_index", 0), ("index", 0), ("index", round(rng.uniform(0.01, 0.99), 3)),
              ("index", 0.999), ("data", 0.5), ("data", 0), ("before_state", 0),
              ("mid_sweep", 0)]
    return [kills[i] for i in rng.permutation(len(kills))]


class _Zygote:
    """The zygote process: `job` forks a saver, which is killed, and returns what it said."""

    def __init__(self, log_path):
        env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__)], cwd=ROOT,
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._log, text=True)
        self._lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self._lines.put(line.split())
        self._lines.put(["eof"])

    def job(self, run_dir, mode, arg) -> list[list[str]]:
        self.proc.stdin.write(f"{run_dir} {mode} {arg}\n")
        self.proc.stdin.flush()
        said = []
        while not said or said[-1][0] not in ("exit", "eof"):
            try:
                said.append(self._lines.get(timeout=DEADLINE))
            except queue.Empty:
                said.append(["timeout"])
                break
        return said

    def log(self) -> str:
        self._log.flush()
        with open(self.log_path) as f:
            return f.read()[-3000:]

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def _words(said, kind):
    return [words[1:] for words in said if words[0] == kind]


@pytest.mark.slow
def test_kill_9_during_checkpoint_saves_costs_at_most_the_save_in_progress(tmp_path):
    from helpers import write_tiny_mnist

    from gan_studio.core.config import TrainConfig
    from gan_studio.core.runs.layout import checkpoint_step, list_checkpoints
    from gan_studio.ml.runs.checkpoints import checkpoint_problem, readable_checkpoint
    from gan_studio.ml.training.trainer import Trainer

    zygote = _Zygote(tmp_path / "zygote.log")  # loads TensorFlow while the run starts here
    try:
        data = write_tiny_mnist(tmp_path / "data")
        config = TrainConfig(dataset="mnist", data_dir=data, runs_dir=str(tmp_path / "runs"),
                             batch_size=8, max_steps=1, grid_size=2)
        trainer = Trainer.create(config)
        assert trainer.run() == "finished"
        run = trainer.run_dir
        last, previous = 1, None  # the newest step reported saved, and the kill before
        for mode, arg in _kill_schedule():
            said = zygote.job(run, mode, arg)
            where = f"after {previous}, then {mode} {arg}: {said}\n{zygote.log()}"
            assert said[-1] == ["exit", "-9"], where
            (restored,) = _words(said, "restored")
            step, skipped, marker = int(restored[0]), int(restored[1]), float(restored[2])
            if previous is not None:
                kind = previous[0]
                assert step - last in AFTER_KILL[kind], where
                assert skipped == TORN.get(kind, skipped), where
            assert step == 1 or marker == step, where  # that step's weights, whole
            last = max([step] + [int(w[0]) for w in _words(said, "saved")])
            previous = (mode, arg)
    finally:
        zygote.close()

    prefix, _ = readable_checkpoint(run)
    assert checkpoint_step(prefix) - last in AFTER_KILL[previous[0]]
    resumed = Trainer.resume(run, max_steps=checkpoint_step(prefix) + 1)
    assert resumed.run() == "finished"
    newest_step, newest = list_checkpoints(run)[-1]
    assert newest_step == checkpoint_step(prefix) + 1 and checkpoint_problem(newest) is None
    # What the killed saves left (folders of half-written shards, data files whose index
    # never came or was pruned, checkpoints missing from the list that retention prunes) was
    # cleared when the run resumed: the run keeps its last `keep_checkpoints`, no more.
    leftovers = _leftovers(run)
    assert leftovers == [], leftovers
    recent = [n for n in os.listdir(os.path.join(run, "checkpoints")) if n.endswith(".index")]
    assert len(recent) == config.keep_checkpoints, recent


def _leftovers(run) -> list[str]:
    """Temporary folders and data files without an index, anywhere in the run folder."""
    found = []
    for folder, subfolders, files in os.walk(run):
        found += [os.path.join(folder, d) for d in subfolders if d.endswith("_temp")]
        found += [os.path.join(folder, f) for f in files if ".data-" in f
                  and f.split(".data-")[0] + ".index" not in files]
    return found


def test_what_killed_saves_leave_is_cleared_and_nothing_else(tmp_path):
    import tensorflow as tf

    from gan_studio.ml.runs.checkpoints import clear_killed_saves

    folder = tmp_path / "checkpoints"
    checkpoint = tf.train.Checkpoint(v=tf.Variable(1.0))
    tf.train.CheckpointManager(checkpoint, str(folder), 3, checkpoint_name="ckpt").save(1)
    checkpoint.write(str(folder / "ckpt-2"))  # whole, but killed before the list named it
    (folder / "ckpt-3_temp").mkdir()  # killed while writing its shard
    (folder / "ckpt-3_temp" / "part-00000-of-00001.data-00000-of-00001.tempstate9").write_bytes(
        b"half")
    (folder / "ckpt-4.data-00000-of-00001").write_bytes(b"no index")  # killed before it
    (folder / "checkpoint.tmp0123abcd").write_text("half a list")  # killed mid-write
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    os.symlink(elsewhere, folder / "ckpt-5_temp")  # not TensorFlow's: never followed
    (folder / "notes.txt").write_text("the user's")

    clear_killed_saves(str(folder), "ckpt")
    assert sorted(os.listdir(folder)) == [
        "checkpoint", "ckpt-1.data-00000-of-00001", "ckpt-1.index",
        "ckpt-2.data-00000-of-00001", "ckpt-2.index", "ckpt-5_temp", "notes.txt"]
    assert (elsewhere / "keep.txt").read_text() == "mine"
    # Listed now, ckpt-2 is pruned like any other checkpoint.
    tf.train.CheckpointManager(checkpoint, str(folder), 1, checkpoint_name="ckpt").save(6)
    assert sorted(n for n in os.listdir(folder) if n.endswith(".index")) == ["ckpt-6.index"]


# -- SIGTERM and Ctrl-C stop `gan-studio train` -----------------------------------------------
# `gan-studio train` whose checkpoint saves each wait, half done (shards written, index not yet),
# until the test lets them go, so that a signal is known to arrive during a save. With
# EPOCH_SAVES set, every epoch ends with a checkpoint, as it does on a real-sized data set.
_HELD_SAVES = """
import os, sys, time
from tensorflow.python.ops import gen_io_ops
import gan_studio.ml.training.trainer
if os.environ.get("EPOCH_SAVES"):
    gan_studio.ml.training.trainer.epochs_per_round = lambda count: 1
merge, gate = gen_io_ops.merge_v2_checkpoints, os.environ["SAVE_GATE"]
def held(*args, **kwargs):
    print("SAVE HELD", flush=True)
    while not os.path.exists(gate):
        time.sleep(0.01)
    os.remove(gate)
    return merge(*args, **kwargs)
gen_io_ops.merge_v2_checkpoints = held
from gan_studio.cli import main
sys.exit(main(sys.argv[1:]))
"""


class _Training:
    """`gan-studio train` on a tiny MNIST set in a child process, its output read as it comes."""

    def __init__(self, tmp_path, data_dir, epoch_saves: bool):
        self.runs = tmp_path / "runs"
        self.gate = tmp_path / "gate"
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=ROOT, SAVE_GATE=str(self.gate),
                   TF_CPP_MIN_LOG_LEVEL="2", EPOCH_SAVES="1" if epoch_saves else "")
        argv = ["train", "--dataset", "mnist", "--data-dir", data_dir, "--batch-size", "8",
                "--epochs", "1000", "--seed", "1",
                "--run-dir", str(self.runs)]
        self.proc = subprocess.Popen([sys.executable, "-c", _HELD_SAVES, *argv], cwd=ROOT,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.output: list[str] = []
        self._lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def wait_for(self, text: str) -> None:
        """Reads the output until a line holds `text` (fails if the process ends first)."""
        while True:
            try:
                line = self._lines.get(timeout=DEADLINE)
            except queue.Empty:
                line = None
            assert line is not None, f"no {text!r} in:\n{''.join(self.output)}"
            self.output.append(line)
            if text in line:
                return

    def signal(self, signum) -> None:
        self.proc.send_signal(signum)

    def release_save(self) -> None:
        self.gate.touch()

    def finish(self, release_saves: bool = False) -> tuple[int, str]:
        """Waits for the exit (letting any later save go on if `release_saves`)."""
        while True:
            try:
                line = self._lines.get(timeout=DEADLINE)
            except queue.Empty:
                self.proc.kill()
                break
            if line is None:
                break
            self.output.append(line)
            if release_saves and "SAVE HELD" in line:
                self.release_save()
        return self.proc.wait(timeout=DEADLINE), "".join(self.output)

    @property
    def run_dir(self) -> str:
        (name,) = os.listdir(self.runs)
        return str(self.runs / name)


def _wait_for_steps(training, count=3):
    deadline = time.time() + DEADLINE
    while time.time() < deadline:
        found = list(training.runs.glob("*/metrics.csv"))
        if found and len(found[0].read_text().splitlines()) > count:
            return
        time.sleep(0.1)
    raise AssertionError("training did not start")


def _assert_stopped_with_a_checkpoint(status, out, run, step=None):
    """Exit 0 after a stop, no traceback, and a complete newest checkpoint (at `step`, or at
    the last step logged) that `gan-studio resume` continues from."""
    from gan_studio.cli import main
    from gan_studio.core.runs.layout import list_checkpoints
    from gan_studio.core.runs.metrics_log import read_metrics
    from gan_studio.ml.runs.checkpoints import checkpoint_problem

    assert status == 0, out
    assert "Stopped" in out and "Traceback" not in out, out
    newest_step, newest = list_checkpoints(run)[-1]
    assert newest_step == (step or read_metrics(run)["step"][-1]), out
    assert checkpoint_problem(newest) is None
    assert main(["resume", run, "--max-steps", str(newest_step + 1)]) == 0
    assert list_checkpoints(run)[-1][0] == newest_step + 1


SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="Ctrl-C")]


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS)
def test_a_signal_during_a_step_and_another_during_the_final_save(tmp_path, signum):
    from helpers import write_tiny_mnist

    training = _Training(tmp_path, write_tiny_mnist(tmp_path / "data"), epoch_saves=False)
    try:
        _wait_for_steps(training)
        training.signal(signum)  # no save happens before the stop's: this lands in a step
        training.wait_for("SAVE HELD")
        training.signal(signum)
        training.signal(signal.SIGTERM if signum == signal.SIGINT else signal.SIGINT)
        training.wait_for("already stopping")
        training.release_save()
        status, out = training.finish()
    finally:
        training.proc.kill()
    _assert_stopped_with_a_checkpoint(status, out, training.run_dir)


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS)
def test_a_signal_during_an_epoch_end_save(tmp_path, signum):
    from helpers import write_tiny_mnist

    training = _Training(tmp_path, write_tiny_mnist(tmp_path / "data"), epoch_saves=True)
    try:
        training.wait_for("SAVE HELD")  # epoch 1's, at step 6
        training.signal(signum)
        training.wait_for("stopping after this step")
        training.release_save()
        status, out = training.finish(release_saves=True)
    finally:
        training.proc.kill()
    assert "Epoch 1 done, checkpoint saved (step 6)" in out
    _assert_stopped_with_a_checkpoint(status, out, training.run_dir, step=6)


def test_a_stop_while_the_data_downloads_exits_0_and_leaves_no_run(tmp_path, monkeypatch,
                                                                   capsys):
    import gan_studio.data.download as download
    from gan_studio.cli import main

    class Response:  # the first chunk arrives with a Ctrl-C
        headers = {"Content-Length": "4096"}

        def read(self, size):
            os.kill(os.getpid(), signal.SIGINT)
            return b"x" * 1024

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return False

    monkeypatch.setattr(download.urllib.request, "urlopen", lambda *a, **k: Response())
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    status = main(["train", "--dataset", "mnist", "--data-dir", str(tmp_path / "data"),
                   "--run-dir", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "Stopped before training started" in out and "Traceback" not in err
    assert not os.listdir(tmp_path / "runs")
    assert not os.path.exists(tmp_path / "data" / "mnist.npz")
    assert {signum: signal.getsignal(signum) for signum in before} == before


if __name__ == "__main__":
    _zygote()
