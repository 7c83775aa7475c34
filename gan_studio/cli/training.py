"""`gan-studio train` and `resume`: a run headless; Ctrl-C and SIGTERM stop it cleanly."""

from __future__ import annotations

import os
import signal
import sys

from gan_studio.cli.commands import CliError, run_checkpoint
from gan_studio.core.config import TrainConfig
from gan_studio.core.distribution import writes_run_folder
from gan_studio.core.levers import LEVERS
from gan_studio.core.training.budget import describe_minutes


class StopOnSignal:
    """Within `with`, Ctrl-C (SIGINT) and SIGTERM stop training the way the Stop button does.

    The first signal asks the trainer to stop: it finishes its step, saves a checkpoint,
    measures the final quality if the meter is ready (it never waits for the meter's feature
    network to train) and returns, and the command exits 0. Later ones are only acknowledged
    and never cut the save short (that would leave a torn newest checkpoint): the stop takes
    a step, a save and a measurement at most, and Ctrl-\\ or `kill -9` still quit at once.
    The handlers in place before come back on exit.

    Args:
        control: the trainer's `TrainControl`.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, control):
        self.control = control
        self._previous: dict = {}

    def __enter__(self) -> StopOnSignal:
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum, frame) -> None:
        name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        if self.control.stopping:
            _note(f"{name}: already stopping; the checkpoint is saved first (Ctrl-\\ or "
                  "kill -9 quit at once, without it)…")
        else:
            self.control.stop()
            _note(f"{name}: stopping after this step and saving a checkpoint…")


def _note(line: str) -> None:
    # Straight to the file descriptor: print() from a signal that interrupted tqdm's write to
    # stderr would re-enter the same buffered stream, which raises RuntimeError.
    try:
        os.write(sys.stderr.fileno(), f"\n{line}\n".encode())
    except (AttributeError, OSError, ValueError):  # a stream with no descriptor (a test's)
        print(line, file=sys.stderr)


def _run_trainer(make_trainer) -> int:
    from gan_studio.cli.console import ConsoleProgress
    from gan_studio.core.training.control import TrainControl
    from gan_studio.data import DatasetCancelledError

    console = ConsoleProgress()
    control = TrainControl()
    with StopOnSignal(control):
        trainer = make_trainer(callbacks=console, control=control, on_fault="raise")
        writes = writes_run_folder(trainer.config.strategy)
        print(f"Run folder: {trainer.run_dir}" if writes else
              "This worker writes no run folder: the chief does (its checkpoint saves go to "
              "scratch folders, deleted at once)")
        console.run_dir, console.dataset = trainer.run_dir, trainer.config.dataset
        try:
            outcome = trainer.run()
        except DatasetCancelledError:  # the stop came while the data was loading
            if not control.stopping:
                raise
            print("Stopped before training started.")
            return 0
        finally:
            console.close()
        if writes:
            print(f"{outcome.capitalize()}. Resume with: gan-studio resume {trainer.run_dir}")
        else:
            print(f"{outcome.capitalize()}.")
    return 0


def train(config: TrainConfig) -> int:
    """`gan-studio train`: trains a new run headless; Ctrl-C or SIGTERM saves a checkpoint and
    exits 0."""
    from gan_studio.ml.training.trainer import Trainer

    return _run_trainer(lambda **kw: Trainer.create(config, **kw))


def resume(args) -> int:
    """`gan-studio resume RUN_DIR`: continues a run from its latest (or a given) checkpoint."""
    from gan_studio.ml.training.trainer import Trainer

    overrides = {lever.name: getattr(args, lever.name) for lever in LEVERS.values()
                 if lever.flag and lever.continues and getattr(args, lever.name, None) is not None}

    def make(**kw):
        trainer = Trainer.resume(args.run, epochs=args.epochs, max_steps=args.max_steps,
                                 checkpoint=run_checkpoint(args.run, args.checkpoint),
                                 strategy=args.strategy, devices=args.devices,
                                 minutes=getattr(args, "more_minutes", None),
                                 overrides=overrides or None, **kw)
        if trainer.budget_spent_at_start():
            raise CliError(f"{args.run} has trained its "
                           f"{describe_minutes(trainer.config.max_minutes)} already: give "
                           "--minutes N (or --hours) to train that much longer")
        if args.data_dir:
            trainer.config.data_dir = args.data_dir
        return trainer

    return _run_trainer(make)
