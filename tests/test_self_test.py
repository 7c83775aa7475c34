"""`gan-studio --self-test`, unfrozen: the same check the frozen bundle runs."""

import pytest

from gan_studio import self_test
from gan_studio.cli import main


def test_self_test_passes(capsys, qapp):
    assert main(["--self-test"]) == 0
    assert "self-test passed" in capsys.readouterr().out


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
