"""`gan-studio --self-test`, unfrozen: the same check the frozen bundle runs."""

import pytest

from gan_studio import self_test
from gan_studio.cli import main


def test_self_test_passes(capsys, qapp):
    assert main(["--self-test"]) == 0
    out = capsys.readouterr().out
    assert "self-test passed" in out
    lines = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert [line.split()[0] for line in lines] == [
        "trained", "explorer:", "quality:", "projection:", "cli:", "runs"]  # a line a check
    assert "renderer drew the 28x28 preview" in lines[1]
    assert "features" in lines[3] and "exited 0" in lines[4]
    assert lines[5].startswith("runs library: listed the run (") and "HParams" in lines[5]


def test_a_generator_the_explorer_cannot_copy_fails_the_self_test(monkeypatch, capsys, qapp):
    """A bundle without the numpy copy's modules: the explorer's message box is closed and
    its text is the reason (offscreen, nobody could answer it: the self-test would hang)."""
    from gan_studio.ml.generators import numpy_export

    def missing(*args, **kwargs):
        raise ImportError("No module named 'gan_studio.core.numpy_generator.layer_plan'")

    monkeypatch.setattr(numpy_export, "numpy_generator_from_keras", missing)
    assert self_test.run_self_test() == 1
    err = capsys.readouterr().err
    assert 'self-test FAILED: the window showed "Cannot Open Generator: ' in err
    assert "numpy_generator.layer_plan" in err


def test_self_test_reports_a_failure_and_exits_non_zero(monkeypatch, capsys, qapp):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated corrupt install")

    monkeypatch.setattr(self_test, "_fake_digits", broken)
    assert self_test.run_self_test() == 1
    assert "self-test FAILED: simulated corrupt install" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--version"])
def test_version_flag(flag, capsys):
    with pytest.raises(SystemExit) as exc:
        main([flag])
    assert exc.value.code == 0 and "GAN Studio" in capsys.readouterr().out
