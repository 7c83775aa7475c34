"""Every lever takes the same values in the config's rules, on the command line and in the panel.

The levers are described once (`gan_studio.core.levers`); this walks each one with values on
both sides of every bound and each choice, and asks the three doors whether they take it.
"""

import dataclasses

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox

from gan_studio.cli.commands import CliError
from gan_studio.cli.parser import _train_config, build_parser
from gan_studio.core.config import FIELD_RULES, PRESETS, TrainConfig
from gan_studio.core.levers import LEVERS, MODEL, PRESET_FIELDS, RECIPE, SEED_RECIPE


def _probes(lever) -> list:
    rule = lever.rule
    if rule.kind == "bool":
        return [True, False]
    if rule.kind == "choice":
        if isinstance(rule.choices[0], int):
            return sorted(set(rule.choices) | set(range(-1, 9)))
        return [*rule.choices, "x", rule.choices[0].upper()]
    unit = 10.0 ** -lever.decimals if rule.kind == "float" else 1
    values = {rule.low, rule.high, rule.low - unit, rule.low + unit, rule.high - unit,
              rule.high + unit, (rule.low + rule.high) / 2}
    if rule.kind == "int":
        values = {int(value) for value in values}
    else:
        values = {round(value, lever.decimals) for value in values}
    return sorted(values)


def _cli_takes(lever, value) -> bool:
    if lever.rule.kind == "bool":
        argv = [lever.flag if value else "--no-" + lever.flag[2:]]
    else:
        argv = [lever.flag, str(value)]
    try:
        args = build_parser().parse_args(["train", "--dataset", "mnist", *argv])
        config = _train_config(args)
    except (SystemExit, CliError):
        return False
    assert getattr(config, lever.name) == value
    return True


def _panel_takes(widget, value) -> bool:
    if isinstance(widget, QComboBox):
        return widget.findData(value) >= 0
    if isinstance(widget, QCheckBox):
        return isinstance(value, bool)
    decimals = widget.decimals() if isinstance(widget, QDoubleSpinBox) else 0
    return widget.minimum() <= value <= widget.maximum() and round(value, decimals) == value


def test_each_lever_takes_the_same_values_in_the_rules_the_cli_and_the_panel(
        open_window, fake_engine, capsys):
    panel = open_window(fake_engine).training_panel
    doors = {MODEL: panel, RECIPE: panel.recipe}
    walked = 0
    for lever in LEVERS.values():
        widget = getattr(doors[lever.group], lever.name) if lever.group else None
        for value in _probes(lever):
            if lever.none_at_low and value == lever.rule.low:  # "same as G": None
                assert lever.rule.accepts(None) and widget.minimum() == value
                assert widget.specialValueText() == lever.off_text
                continue
            takes = {"rules": lever.rule.accepts(value)}
            if lever.flag:
                takes["cli"] = _cli_takes(lever, value)
            if widget is not None:
                takes["panel"] = _panel_takes(widget, value)
            assert len(set(takes.values())) == 1, (lever.name, value, takes)
            walked += 1
        if widget is not None:
            assert widget.toolTip().rstrip(".").lower() == lever.help.lower()
    capsys.readouterr()  # argparse's refusals
    assert walked > 100
    assert [lever.name for lever in LEVERS.values() if lever.none_at_low] == ["d_learning_rate"]


def test_the_levers_rows_are_the_configs_and_the_presets_fields():
    fields = {field.name for field in dataclasses.fields(TrainConfig)}
    assert set(LEVERS) <= fields and set(FIELD_RULES) == fields
    assert all(FIELD_RULES[name] is lever.rule for name, lever in LEVERS.items())
    for name, values in PRESETS.items():
        assert set(values) == set(PRESET_FIELDS), name
        assert all(LEVERS[field].rule.accepts(value) for field, value in values.items()), name
    for name in ("tutorial", "paper"):  # the seed article's recipe
        assert {key: PRESETS[name][key] for key in SEED_RECIPE} == SEED_RECIPE
    for lever in LEVERS.values():
        assert set(lever.choice_labels) <= set(lever.rule.choices), lever.name
        if lever.group and lever.rule.kind == "choice":
            assert set(lever.choice_labels) == set(lever.rule.choices), lever.name


@pytest.mark.parametrize("argv, field", [(["--kernel-size", "3"], "kernel-size"),
                                          (["--seed", str(2**32)], "seed")])
def test_a_value_no_lever_takes_is_refused_alike(argv, field, capsys):
    with pytest.raises((SystemExit, CliError)) as refused:
        _train_config(build_parser().parse_args(["train", "--dataset", "mnist", *argv]))
    said = capsys.readouterr().err + str(refused.value)
    assert field.replace("-", "_") in said.replace("-", "_")
