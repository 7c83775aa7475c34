"""TF_CONFIG is read defensively, and tells each process its part in a multi-worker run."""

import json

import pytest

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.distribution import (
    ClusterError,
    cluster_role,
    describe_placement,
    writes_run_folder,
)


def _env(cluster, task):
    return {"TF_CONFIG": json.dumps({"cluster": cluster, "task": task})}


def test_worker_zero_is_the_chief_when_the_cluster_names_none():
    cluster = {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}
    first = cluster_role(_env(cluster, {"type": "worker", "index": 0}))
    second = cluster_role(_env(cluster, {"type": "worker", "index": 1}))
    assert (first.is_chief, second.is_chief) == (True, False)
    assert first.workers == 2 and second.name == "worker 1"
    assert writes_run_folder("multiworker", _env(cluster, {"type": "worker", "index": 0}))
    assert not writes_run_folder("multiworker", _env(cluster, {"type": "worker", "index": 1}))


def test_a_named_chief_writes_and_every_worker_does_not():
    cluster = {"chief": ["a:1"], "worker": ["b:1", "c:1"]}
    assert cluster_role(_env(cluster, {"type": "chief", "index": 0})).is_chief
    role = cluster_role(_env(cluster, {"type": "worker", "index": 0}))
    assert not role.is_chief and role.workers == 3


def test_single_machine_strategies_always_write_the_run_folder():
    assert writes_run_folder("default", {}) and writes_run_folder("mirrored", {})


@pytest.mark.parametrize("environ, message", [
    ({}, "needs TF_CONFIG"),
    ({"TF_CONFIG": "{not json"}, "not JSON"),
    ({"TF_CONFIG": "[1, 2]"}, "needs a \"cluster\" object"),
    (_env({"worker": "a:1"}, {"type": "worker", "index": 0}), "host:port"),
    (_env({"worker": ["a:1"]}, {"type": "worker", "index": 3}), "not in its cluster"),
    (_env({"worker": ["a:1"]}, {"type": "ps", "index": 0}), "chief or a worker"),
    (_env({"worker": ["a:1"]}, {"type": "worker", "index": "0"}), "integer index"),
    (_env({"chief": ["a:1", "b:1"]}, {"type": "chief", "index": 0}), "more than one chief"),
    ({"TF_CONFIG": "[" * 100_000}, "larger than 64 KiB"),
])
def test_a_bad_tf_config_is_one_line_saying_what_is_wrong(environ, message):
    with pytest.raises(ClusterError, match=message) as caught:
        cluster_role(environ)
    assert "\n" not in str(caught.value)


def test_the_strategy_is_a_checked_config_field():
    config = TrainConfig(strategy="mirrored", devices=["/gpu:0", "/gpu:1"]).resolved()
    assert TrainConfig.from_dict(config.to_dict()).devices == ["/gpu:0", "/gpu:1"]
    assert TrainConfig.from_dict({"dataset": "mnist"}).strategy == "default"  # older runs
    with pytest.raises(ConfigError, match="strategy"):
        TrainConfig(strategy="parameter_server").resolved()
    with pytest.raises(ConfigError, match="devices"):
        TrainConfig(devices=["/gpu:0", 3]).resolved()


def test_the_placement_line_says_how_many_replicas_and_workers():
    assert describe_placement("default", 1, "CPU") == "CPU"
    assert describe_placement("mirrored", 2, "GPU: H100 (x2)") == \
        "GPU: H100 (x2), mirrored over 2 replicas"
    role = cluster_role(_env({"worker": ["a:1", "b:1"]}, {"type": "worker", "index": 1}))
    assert describe_placement("multiworker", 2, "CPU", role) == \
        "CPU, multi-worker: 2 replicas on 2 workers, this is worker 1"
