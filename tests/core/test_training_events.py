import ast
import csv
import io
import json
import logging
from pathlib import Path

import gan_studio
from gan_studio.core.training.events import ENDING, PAUSING, EventKind
from gan_studio.core.training.progress import Event


def test_a_kind_reads_as_its_text_wherever_it_is_written(caplog):
    # Kinds were plain strings: a log line, a JSON or CSV file holds the same text as before.
    kind = EventKind.WRITE_FAILED
    assert kind == "write_failed" and str(kind) == "write_failed"
    assert f"{kind}" == "write_failed" and f"{kind:>14}" == "  write_failed"
    assert json.dumps({"kind": kind}) == '{"kind": "write_failed"}'
    assert json.loads(json.dumps(Event(EventKind.NAN, "", {}).__dict__))["kind"] == "nan"
    out = io.StringIO()
    csv.writer(out).writerow([EventKind.EPOCH_END, 3])
    assert out.getvalue() == "epoch_end,3\r\n"
    with caplog.at_level(logging.INFO):
        logging.getLogger("gan_studio.test").info("event %s", EventKind.PAUSED)
    assert caplog.records[-1].getMessage() == "event paused"


def test_a_kind_is_found_from_its_text_and_hashes_as_it():
    assert EventKind("quality_off") is EventKind.QUALITY_OFF
    assert "nan" in PAUSING and "finished" in ENDING  # a str kind still matches the sets
    assert {"stopped": 1}[EventKind.STOPPED] == 1


def test_every_kind_has_its_own_lowercase_text():
    values = [kind.value for kind in EventKind]
    assert len(set(values)) == len(values)
    assert all(kind.value == kind.name.lower() for kind in EventKind)


def test_the_groups():
    assert PAUSING == {EventKind.PAUSED, EventKind.NAN, EventKind.WRITE_FAILED}
    assert ENDING == {EventKind.STOPPED, EventKind.FINISHED}
    # A hold is not a pause: the session shows no pause for it.
    assert EventKind.HELD not in PAUSING and not PAUSING & ENDING


PACKAGE = Path(gan_studio.__file__).parent
DEFINITION = PACKAGE / "core" / "training" / "events.py"
EMITTERS = {"Event", "_event"}


def _is_kind(node) -> bool:
    """`x.kind`, or `getattr(x, "kind", ...)`."""
    if isinstance(node, ast.Attribute):
        return node.attr == "kind"
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "getattr" and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant) and node.args[1].value == "kind")


def _texts(node):
    """The string constants of `node`, itself one or a tuple, list or set of them."""
    items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    return [item for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)]


def kind_literals(tree: ast.AST) -> list[ast.Constant]:
    """The string constants in `tree` that spell an event kind: compared with a `.kind` (`==`,
    `!=`, `in` a tuple, list or set), or given as the kind of an `Event(...)` or `_event(...)`.

    Only those places: "data" or "device" are ordinary words elsewhere.
    """
    kinds = {kind.value for kind in EventKind}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_kind(operand) for operand in operands):
                found += [text for operand in operands for text in _texts(operand)]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in EMITTERS:
                given = node.args[:1] + [k.value for k in node.keywords if k.arg == "kind"]
                found += [text for arg in given for text in _texts(arg)]
    return [text for text in found if text.value in kinds]


def test_kind_literals_are_found_where_a_kind_is_meant():
    source = """
if event.kind == "paused" or "nan" != e.kind or x.kind in ("stopped", "finished", "other"):
    self._event(Event("best", "data"))
engine.Event(kind="held", message="device")
getattr(event, "kind", None) == "collapse_cleared"
if rule.kind == "bool" or meter.kind == "classifier" or other == "data":
    emit({"device": "data"}, "device")
"""
    found = sorted(text.value for text in kind_literals(ast.parse(source)))
    assert found == ["best", "collapse_cleared", "finished", "held", "nan", "paused", "stopped"]


def test_no_event_kind_is_spelled_as_text_outside_its_enum():
    # A kind spelled as text still matches a str enum today, but a renamed or retired member
    # would leave it matching nothing, silently.
    spelled = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == DEFINITION:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        spelled += [f"{path.relative_to(PACKAGE.parent)}:{text.lineno}: {text.value!r}"
                    for text in kind_literals(tree)]
    assert not spelled, "event kinds as text (use EventKind's members):\n" + "\n".join(spelled)
