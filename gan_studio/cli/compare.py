"""`gan-studio compare`: runs side by side, headless: the settings they differ in and their
quality at equal budget (a table, or one JSON object), and their grids at that point as one
image: what the comparison window shows, for a terminal or a script."""

from __future__ import annotations

import json
import math
import os

from gan_studio.cli.commands import CliError
from gan_studio.core.runs.compared_grids import caption, side_by_side
from gan_studio.core.runs.comparison import (
    MAX_COMPARED,
    ComparedRun,
    Comparison,
    describe_budget,
    quality_cells,
)
from gan_studio.core.runs.layout import is_run_dir
from gan_studio.core.runs.run_axes import AXIS_TITLES
from gan_studio.core.text_table import aligned_rows

QUALITY_NUMBERS = ("fd", "kid", "score", "diversity", "copy_rate")


def _read(run_dirs: list[str]) -> Comparison:
    if not 2 <= len(run_dirs) <= MAX_COMPARED:
        raise CliError(f"compare takes 2 to {MAX_COMPARED} run folders, not {len(run_dirs)}")
    folders = [os.path.abspath(d) for d in run_dirs]
    for folder in folders:
        if not is_run_dir(folder):
            raise CliError(f"{folder} is not a GAN Studio run folder (it has no config.json)")
    if len(set(folders)) < len(folders):
        raise CliError("a run folder is named twice")
    return Comparison([ComparedRun.read(folder) for folder in folders])


def _grids_sheet(comparison: Comparison, axis: str, position: float, path: str) -> None:
    """Writes each run's saved grid nearest to `position`, side by side, labelled."""
    from gan_studio.core.images import load_image, save_png

    choices = comparison.grids_at(axis, position)
    images = []
    for choice in choices:
        try:
            images.append(None if choice is None else load_image(choice.grid.path))
        except (OSError, ValueError):
            images.append(None)  # a torn grid is a blank in the sheet, its caption says so
    captions = [caption(c, axis) if image is not None or c is None else "unreadable grid"
                for c, image in zip(choices, images)]
    if all(image is None for image in images):
        raise CliError("none of the runs has a saved grid to show")
    try:
        save_png(path, side_by_side(images, comparison.labels, captions))
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None


def _number(value):
    return None if value is None or not math.isfinite(value) else float(value)


def _as_json(comparison: Comparison, table, grids: str | None) -> dict:
    settings = {row.name: list(row.values) for row in comparison.settings_table()}
    runs = []
    for i, run in enumerate(comparison.runs):
        report = table.reports[i]
        runs.append({
            "run_dir": run.run_dir, "label": comparison.labels[i], "problem": run.problem,
            "best": table.best == i,
            "settings": {name: values[i] for name, values in settings.items()},
            "quality": None if report is None else {
                "step": report.step, **{k: _number(getattr(report, k)) for k in QUALITY_NUMBERS}},
            "steps": run.steps})
    return {"axis": table.axis, "budget": table.budget, "budget_text": describe_budget(table),
            "differing": list(settings), "runs": runs, "grids": grids}


def _as_text(comparison: Comparison, table) -> str:
    columns = ("FD", "KID", "score", "diversity", "copy rate", "measured at")
    cells = [["", "run", *columns, "folder"]]
    for i, run in enumerate(comparison.runs):
        numbers = quality_cells(table.reports[i])
        cells.append(["*" if table.best == i else "", comparison.labels[i],
                      *(numbers[c] for c in columns), run.name])
    lines = [f"Lined up by {AXIS_TITLES[table.axis]}: quality {describe_budget(table)}"
             + (" (* best FD)" if table.best is not None else "") + ":"]
    lines += aligned_rows(cells)
    lines += [f"{comparison.labels[i]}: {run.problem}"
              for i, run in enumerate(comparison.runs) if run.problem]
    return "\n".join(lines)


def compare(args) -> int:
    """`gan-studio compare RUN_DIR RUN_DIR [...]`: prints the runs' quality at equal budget.

    Raises:
        CliError: fewer than 2 or more than 6 folders, one that is not a run, or a grids
            image that cannot be written.
    """
    comparison = _read(args.runs)
    table = comparison.quality_table(args.by)
    if args.grids:
        _grids_sheet(comparison, args.by, table.budget, args.grids)
    if args.json:
        print(json.dumps(_as_json(comparison, table, args.grids), indent=2))
    else:
        print(_as_text(comparison, table))
        if args.grids:
            print(f"Grids at that point, side by side: {args.grids}")
    return 0
