"""Background jobs report back on the GUI thread."""

import threading

from gan_studio.workers.tasks import TaskRunner


def test_runs_jobs_off_the_gui_thread_and_reports(qtbot):
    runner = TaskRunner("test")
    try:
        results, errors = [], []
        gui = threading.get_ident()
        runner.submit(lambda: threading.get_ident(), on_done=results.append)
        runner.submit(lambda a, b: a + b, 2, 3, on_done=results.append)
        runner.submit(lambda: 1 / 0, on_error=errors.append)
        qtbot.waitUntil(lambda: len(results) == 2 and len(errors) == 1, timeout=5000)
        assert results[0] != gui and results[1] == 5
        assert "division" in errors[0]
        assert not runner.busy
    finally:
        runner.shutdown()
