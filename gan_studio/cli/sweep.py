"""`gan-studio sweep`: one or two levers varied over runs trained in turn, then a ranking by
the quality meter at equal budget (a table, or one JSON object with `--json`)."""

from __future__ import annotations

import contextlib
import json
import sys

from gan_studio.cli.commands import CliError
from gan_studio.core.quality.report import FD_NAME
from gan_studio.core.runs.location import default_runs_dir
from gan_studio.core.sweep.ranking import ranking_table
from gan_studio.core.sweep.sweep_file import SweepFileError
from gan_studio.core.sweep.sweep_plan import SweepError, make_plan


def _plan(args):
    """The plan the command line asks for (a new sweep)."""
    if args.dataset is None or not args.vary:
        raise CliError("a sweep needs --dataset and --vary NAME=V1,V2,... (or --continue "
                       "SWEEP_DIR)")
    try:
        return make_plan(args.dataset, args.vary, minutes=args.minutes, steps=args.steps,
                         images=args.images, preset=args.preset, seed=args.seed,
                         data_dir=args.data_dir, runs_dir=args.run_dir or default_runs_dir())
    except SweepError as exc:
        raise CliError(str(exc)) from None


def _check_continue(args) -> None:
    given = [flag for flag, value in (("--dataset", args.dataset), ("--vary", args.vary),
                                      ("--minutes", args.minutes), ("--steps", args.steps),
                                      ("--images", args.images), ("--preset", args.preset),
                                      ("--seed", args.seed), ("--run-dir", args.run_dir))
             if value is not None]
    if given:
        raise CliError(f"--continue trains the sweep's own plan: leave out {', '.join(given)}")


class _SweepConsole:
    """The sweep's progress on the terminal: each run's bar as `gan-studio train` shows it."""

    def __init__(self, runner):
        from gan_studio.ml.training.sweep_runner import SweepCallbacks

        outer = self

        class Callbacks(SweepCallbacks):
            def training_callbacks(self, index, run_dir):
                return outer.console_for(run_dir)

            def on_preparing(self, done, total):
                outer.preparing(done, total)

            def on_run_started(self, index, run_dir, label):
                outer.started(index, run_dir, label)

            def on_run_ended(self, index, run_dir, state, reason):
                outer.ended(index, state, reason)

        self.callbacks = Callbacks()
        self.total = len(runner.sweep.runs)
        self.dataset = runner.sweep.plan.base.get("dataset")
        self.console = None
        self._bar = None

    def console_for(self, run_dir: str):
        from gan_studio.cli.console import ConsoleProgress

        self.close_preparing()
        self.console = ConsoleProgress()
        self.console.run_dir, self.console.dataset = run_dir or "RUN_DIR", self.dataset
        return self.console

    def preparing(self, done: int, total: int) -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=total, desc="Quality meter (once, before the runs)",
                             unit="step", file=sys.stderr, leave=False, dynamic_ncols=True)
        self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close_preparing(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def started(self, index: int, run_dir: str, label: str) -> None:
        if self.console is not None:
            self.console.run_dir = run_dir
        print(f"Run {index + 1}/{self.total} ({label}): {run_dir}")

    def ended(self, index: int, state: str, reason: str) -> None:
        if self.console is not None:
            self.console.close()
            self.console = None
        print(f"Run {index + 1}/{self.total} {state}" + (f": {reason}" if reason else "."))


def sweep(args) -> int:
    """`gan-studio sweep`: trains a sweep (or continues one) and prints its ranking; Ctrl-C or
    SIGTERM stops the current run cleanly and prints the command that continues it."""
    from gan_studio.cli.training import StopOnSignal
    from gan_studio.core.sweep.ranking import rank_sweep
    from gan_studio.core.training.control import TrainControl
    from gan_studio.ml.training.sweep_runner import SweepRunner

    control = TrainControl()
    try:
        if args.continue_dir:
            _check_continue(args)
            runner = SweepRunner.open(args.continue_dir, control=control)
        else:
            runner = SweepRunner.create(_plan(args), control=control)
    except (SweepError, SweepFileError) as exc:
        raise CliError(str(exc)) from None
    console = _SweepConsole(runner)
    runner.callbacks = console.callbacks
    # With --json, stdout holds the one JSON object: the progress goes to stderr.
    progress_out = sys.stderr if args.json else sys.stdout
    with contextlib.redirect_stdout(progress_out), StopOnSignal(control):
        print(f"Sweep folder: {runner.folder}")
        try:
            outcome = runner.run()
        except SweepFileError as exc:
            raise CliError(str(exc)) from None
        finally:
            console.close_preparing()
            if console.console is not None:
                console.console.close()
    ranking = runner.ranking if outcome == "finished" else rank_sweep(runner.sweep)
    if args.json:
        plan = runner.sweep.plan
        print(json.dumps({"sweep": runner.folder, "outcome": outcome,
                          "levers": plan.lever_names, "budget": plan.to_dict()["budget"],
                          "metric": FD_NAME, "runs": [row.to_dict() for row in ranking]}))
        return 0
    title = "Ranking" if outcome == "finished" else "So far"
    print(f"\n{title} by {FD_NAME} at {runner.sweep.plan.budget.describe()} each (lower is "
          "better):")
    print(ranking_table(ranking, runner.folder))
    if outcome == "stopped":
        print(f"\nStopped. Continue with: gan-studio sweep --continue {runner.folder}")
    return 0
