"""Plans: what a length buys, from this machine's noted speeds or the references."""

import json

import pytest

from gan_studio.core.config import TrainConfig
from gan_studio.core.training import plan as plans
from gan_studio.core.training.plan import make_plan, steps_per_epoch
from gan_studio.core.training.speed_book import SpeedBook, speed_key

CPU = "Some CPU, 4 cores, avx2 fma"


@pytest.fixture
def book(tmp_path):
    return SpeedBook(str(tmp_path / "speeds.json"))


def test_speeds_are_kept_per_model_and_cpu_and_their_median_is_used(book):
    mnist = TrainConfig(dataset="mnist").resolved()
    cifar = TrainConfig(dataset="cifar10").resolved()
    assert book.seconds_per_step(speed_key(mnist), CPU) is None
    for seconds in (0.1, 0.5, 0.12):
        book.record(speed_key(mnist), CPU, seconds)
    assert book.seconds_per_step(speed_key(mnist), CPU) == 0.12  # one odd run does not move it
    assert book.seconds_per_step(speed_key(cifar), CPU) is None
    assert book.seconds_per_step(speed_key(mnist), "Another CPU") is None
    # What does not change a step's cost does not change the key either.
    other_seed = TrainConfig(dataset="mnist", seed=7, max_minutes=5).resolved()
    assert speed_key(other_seed) == speed_key(mnist)
    assert speed_key(TrainConfig(dataset="mnist", batch_size=64).resolved()) != speed_key(mnist)


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"speeds": []}',
                                     b'{"speeds": {"k": {"seconds_per_step": "fast"}}}',
                                     b'{"speeds": {"k": {"seconds_per_step": [-1, NaN]}}}'])
def test_a_damaged_speed_file_reads_as_empty_and_is_replaced(book, content):
    with open(book.path, "wb") as f:
        f.write(content)
    assert book.seconds_per_step("k", CPU) is None
    book.record("k", CPU, 0.2)
    assert book.seconds_per_step("k", CPU) == 0.2
    assert json.loads(open(book.path).read())["speeds"]


def test_a_time_on_this_machine_says_its_steps_and_the_milestones_it_reaches(book):
    config = TrainConfig(dataset="mnist", max_minutes=30).resolved()
    book.record(speed_key(config), CPU, 0.5)
    plan = make_plan(config, CPU, native_bfloat16=False, book=book)
    assert plan.measured_here and plan.steps == 3600 and plan.seconds == 1800
    assert plan.text.startswith("In 30 minutes: about 3,600 steps (500 ms a step here).")
    assert "digits take shape after ~600 steps (5 min)" in plan.text
    assert "More time: digits are sharp after ~4,000 steps (33 min)." in plan.text
    more = make_plan(config, CPU, False, minutes=10, more=True, book=book)
    assert more.steps == 1200 and more.text.startswith("Another 10 minutes: about 1,200 steps")


def test_a_count_says_how_long_it_takes(book):
    config = TrainConfig(dataset="mnist", epochs=50).resolved()
    book.record(speed_key(config), CPU, 1.0)
    plan = make_plan(config, CPU, False, book=book)
    assert steps_per_epoch(config) == 1875 and plan.steps == 93_750
    assert plan.text.startswith("93,750 steps: about 26:02:30 (1.0 s a step here).")
    steps = TrainConfig(dataset="mnist", max_steps=120).resolved()
    assert make_plan(steps, CPU, False, book=book).seconds == 120


def test_without_a_speed_of_its_own_a_plan_uses_the_reference_and_says_so(book, monkeypatch):
    monkeypatch.setattr(plans, "REFERENCE_SPEEDS", {("float32", "mnist"): 0.2,
                                                    ("mixed_bfloat16", "mnist"): 0.1})
    config = TrainConfig(dataset="mnist", max_minutes=10).resolved()
    avx2 = make_plan(config, CPU, native_bfloat16=False, book=book)
    assert not avx2.measured_here and avx2.steps == 3000
    assert f"on {plans.REFERENCE_CPU}; this machine's own speed is measured" in avx2.text
    assert make_plan(config, CPU, native_bfloat16=True, book=book).steps == 6000
    bigger = TrainConfig(dataset="mnist", max_minutes=10, batch_size=64).resolved()
    assert make_plan(bigger, CPU, False, book=book).steps == 1500  # twice the work a step
    recipe = TrainConfig(dataset="mnist", max_minutes=10, loss="hinge").resolved()
    unknown = make_plan(recipe, CPU, False, book=book)  # not what the reference measured
    assert unknown.steps is None and "measured as it trains" in unknown.text
    folder = TrainConfig(dataset="/some/folder", max_minutes=10).resolved()
    assert make_plan(folder, CPU, False, book=book).steps is None
