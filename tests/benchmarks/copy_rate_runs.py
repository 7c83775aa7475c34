"""The copy rate and the training doctor on real runs: what they say over a run's course.

    python tests/benchmarks/copy_rate_runs.py --runs-dir DIR --minutes 30 \\
        "mnist --data-dir /tmp/kcache" "/tmp/horses --data-dir /tmp/kcache"
    python tests/benchmarks/copy_rate_runs.py --report RUN_DIR [RUN_DIR ...]

Each quoted argument is a `gan-studio train` command line (without `train`); the runs train
side by side, the first pinned to core 0, the second to core 1 (at most two), each with the
quality meter measuring every `--every` minutes (the CLI's budget would give a sixth of the
run). Then, and with `--report` for runs trained before, it prints each run's copy rate at every
evaluation beside its floor and FD, and what `gan-studio doctor` finds in it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def train(argv: list[str], every: float) -> int:
    """One run (in a child process), as `gan-studio train ARGV` with the meter's interval set."""
    from gan_studio.cli import parser, training

    config = parser._train_config(parser.build_parser().parse_args(["train", *argv]))
    config.quality_every_minutes = every
    return training.train(config)


def report(run_dir: str) -> None:
    """Prints the run's copy rate per evaluation and the doctor's findings."""
    from gan_studio.core.health.doctor import examine, read_run
    from gan_studio.core.quality.report import read_quality

    reports = read_quality(run_dir)
    print(f"{os.path.basename(run_dir)}: {len(reports)} evaluations")
    for r in reports:
        rate = "–" if r.copy_rate is None else f"{r.copy_rate:.2%}"
        floor = "–" if r.copy_floor is None else f"{r.copy_floor:.2%}"
        print(f"  step {r.step:>6,}  FD {r.fd:7.2f}  copy rate {rate:>6}  floor {floor}")
    diagnosis = examine(read_run(run_dir))
    found = [f"{f.title} ({f.first_step:,}–{f.last_step:,}): {f.evidence}"
             for f in diagnosis.findings]
    print("  doctor: " + ("; ".join(found) if found else
                          "no problems found" + (" (untrained start)" if diagnosis.untrained
                                                 else "")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commands", nargs="*", help="gan-studio train arguments, quoted")
    parser.add_argument("--runs-dir", help="where the runs go")
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=2.0, help="minutes between evaluations")
    parser.add_argument("--report", nargs="+", metavar="RUN_DIR", help="report on these runs")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child:  # the figures name the CPU they were measured on
        from gan_studio.core.machine import machine_report

        print(machine_report(), flush=True)
    if args.child is not None:
        sys.exit(train(shlex.split(args.child), args.every))
    if args.report:
        for run_dir in args.report:
            report(run_dir)
        return
    if not args.commands or not args.runs_dir or len(args.commands) > 2:
        parser.error("give one or two quoted train command lines and --runs-dir")
    print(f"{args.minutes:g} minutes each, one core each")
    before = set(os.listdir(args.runs_dir)) if os.path.isdir(args.runs_dir) else set()
    children = []
    for core, command in enumerate(args.commands):
        child = (f"{command} --minutes {args.minutes:g} --run-dir {shlex.quote(args.runs_dir)}")
        children.append(subprocess.Popen(
            ["taskset", "-c", str(core), sys.executable, os.path.abspath(__file__),
             "--every", str(args.every), "--child", child],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for child in children:
        child.wait()
    for name in sorted(set(os.listdir(args.runs_dir)) - before):
        report(os.path.join(args.runs_dir, name))


if __name__ == "__main__":
    main()
