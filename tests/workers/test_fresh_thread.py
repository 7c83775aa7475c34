"""`call_on_fresh_thread`: one new thread per job, its result or its exception handed back."""

import threading

import pytest

from gan_studio.workers.fresh_thread import call_on_fresh_thread


def test_each_job_runs_on_a_new_thread_and_returns_its_result():
    seen = []

    def job():
        seen.append(threading.current_thread())
        return threading.current_thread().name

    assert call_on_fresh_thread(job, "first") == "first"
    assert call_on_fresh_thread(job, "second") == "second"
    assert seen[0] is not seen[1] and threading.current_thread() not in seen
    assert not any(thread.is_alive() for thread in seen)  # joined before returning


def test_the_job_s_exception_reaches_the_caller_with_its_traceback():
    def job():
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing") as info:
        call_on_fresh_thread(job, "failing")
    assert info.traceback[-1].name == "job"
