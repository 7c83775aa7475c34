import csv
import io
import json
import logging

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
