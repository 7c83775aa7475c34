

from gan_studio.core.training.throttle import Coalescer, Throttle


def test_throttle_is_due_once_per_interval(clock):
    throttle = Throttle(0.25)
    assert throttle.due()  # ready at once
    throttle.restart()
    clock[0] += 0.2
    assert not throttle.due()
    clock[0] += 0.05
    assert throttle.due()


def test_a_throttle_that_is_not_ready_waits_one_interval(clock):
    throttle = Throttle(1.0, ready=False)
    assert not throttle.due()
    clock[0] += 1.0
    assert throttle.due()


def test_coalescer_passes_on_at_most_once_per_interval_and_keeps_the_latest(clock):
    emitted = []
    coalescer = Coalescer(emitted.append, 0.1)
    for item in range(10):
        coalescer.push(item)
        clock[0] += 0.03
    assert emitted == [0, 4, 8]  # at 0, 0.12 and 0.24 s
    coalescer.poll()
    assert emitted == [0, 4, 8]  # 9 came 0.03 s after 8
    clock[0] += 0.1
    coalescer.poll()
    assert emitted == [0, 4, 8, 9]
    coalescer.push(10)
    coalescer.flush()  # sent regardless of the interval
    coalescer.flush()  # nothing is held any more
    assert emitted == [0, 4, 8, 9, 10]
