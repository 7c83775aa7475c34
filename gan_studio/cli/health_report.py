"""`gan-studio doctor RUN_DIR`: what the training doctor sees in a run, and the remedies."""

from __future__ import annotations

import json
import shlex

from gan_studio.cli.commands import CliError


def doctor(args) -> int:
    """`gan-studio doctor RUN_DIR [--json]`: prints the run's findings (or that there are
    none); findings are not errors, so it exits 0 either way.

    Raises:
        CliError: if the folder is missing, not a run folder, or a run file is damaged.
    """
    from gan_studio.core.health.doctor import RunUnreadable, examine

    try:
        diagnosis = examine(args.run)
    except RunUnreadable as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps([finding.to_dict() for finding in diagnosis.findings], indent=2))
        return 0
    for note in diagnosis.notes:
        print(f"Note: {note}")
    if diagnosis.untrained and not diagnosis.findings:
        print("Still in its untrained start: the generator's quality is still improving fast "
              "(or has been measured fewer than twice), so only non-finite losses are judged.")
        return 0
    if not diagnosis.findings:
        print(f"No problems found (checked {', '.join(diagnosis.checked)}).")
        return 0
    for i, finding in enumerate(diagnosis.findings):
        print(("\n" if i else "") + f"{finding.title} (steps {finding.first_step:,}–"
              f"{finding.last_step:,})")
        print(f"  Evidence: {finding.evidence}")
        print(f"  Remedy: {finding.remedy.text}")
        if not finding.remedy.new_run:
            print(f"  Apply: {resume_command(args.run, finding.remedy)}")
    return 0


def resume_command(run_dir: str, remedy) -> str:
    """The `gan-studio resume` command line that applies a continuing `remedy`."""
    from gan_studio.core.levers import LEVERS

    parts = ["gan-studio", "resume", shlex.quote(run_dir), "--checkpoint", str(remedy.step)]
    for name, value in remedy.changes:
        flag = LEVERS[name].flag
        if isinstance(value, bool):
            parts.append(flag if value else "--no-" + flag[2:])
        else:
            parts += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return " ".join(parts)
