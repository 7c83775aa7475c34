"""How a run spreads over devices and machines: the strategies, and this process's place in a
cluster as `TF_CONFIG` describes it (stdlib only: read before TensorFlow loads)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass

STRATEGIES = ("default", "mirrored", "multiworker")
STRATEGY_HELP = {
    "default": "one device: the GPU when there is one, else the CPU",
    "mirrored": "tf.distribute.MirroredStrategy: a replica on each local GPU (or each device "
                "of --devices), gradients summed every step",
    "multiworker": "tf.distribute.MultiWorkerMirroredStrategy over the machines that the "
                   "TF_CONFIG environment variable lists",
}
# Seconds a collective (a gradient sum across workers) may take before a run gives up on a
# worker that stopped answering; TensorFlow's own health check notices a dead peer sooner.
COLLECTIVE_TIMEOUT = 60.0
MAX_TF_CONFIG_BYTES = 1 << 16


class ClusterError(ValueError):
    """Raised when `TF_CONFIG` is missing or malformed; one line saying what is wrong."""


@dataclass(frozen=True)
class ClusterRole:
    """This process's place in a multi-worker cluster.

    Args:
        task_type: `chief` or `worker` (as `TF_CONFIG` names it).
        index: the task's index among its type.
        workers: how many processes train (chief included).
    """

    task_type: str
    index: int
    workers: int
    _has_chief: bool = False  # whether the cluster names a chief task

    @property
    def is_chief(self) -> bool:
        """Whether this process writes the run folder: the `chief` task, or worker 0 of a
        cluster without one (TensorFlow's own rule)."""
        return self.task_type == "chief" or (self.task_type == "worker" and self.index == 0
                                             and not self._has_chief)

    @property
    def name(self) -> str:
        return f"{self.task_type} {self.index}"


def cluster_role(environ: dict | None = None) -> ClusterRole:
    """Reads `TF_CONFIG` (the standard cluster description of `tf.distribute`).

    Args:
        environ: the environment to read (default: `os.environ`).

    Returns:
        The `ClusterRole` of this process.

    Raises:
        ClusterError: if `TF_CONFIG` is unset, not JSON, or lacks a cluster with workers and a
            task that names one of them.
    """
    text = (os.environ if environ is None else environ).get("TF_CONFIG", "")
    if not text.strip():
        raise ClusterError("the multiworker strategy needs TF_CONFIG: set it on each machine to "
                           '{"cluster": {"worker": ["host1:port", "host2:port"]}, '
                           '"task": {"type": "worker", "index": 0}} (index 1 on the second)')
    if len(text) > MAX_TF_CONFIG_BYTES:
        raise ClusterError("TF_CONFIG is larger than 64 KiB: not a cluster description")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ClusterError(f"TF_CONFIG is not JSON: {exc}") from None
    cluster = data.get("cluster") if isinstance(data, dict) else None
    task = data.get("task") if isinstance(data, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise ClusterError('TF_CONFIG needs a "cluster" object and a "task" object')
    trainers = {kind: cluster.get(kind) or [] for kind in ("chief", "worker")}
    if not all(isinstance(hosts, list) and all(isinstance(h, str) and ":" in h for h in hosts)
               for hosts in trainers.values()):
        raise ClusterError('TF_CONFIG\'s cluster lists its tasks as ["host:port", ...]')
    if len(trainers["chief"]) > 1:
        raise ClusterError("TF_CONFIG's cluster has more than one chief")
    task_type, index = task.get("type"), task.get("index", 0)
    if task_type not in trainers or not isinstance(index, int) or isinstance(index, bool):
        raise ClusterError(f"TF_CONFIG's task must be a chief or a worker with an integer "
                           f"index, not {json.dumps(task)[:80]}")
    if not 0 <= index < len(trainers[task_type]):
        raise ClusterError(f"TF_CONFIG's task {task_type} {index} is not in its cluster "
                           f"({len(trainers[task_type])} {task_type} address(es))")
    return ClusterRole(task_type, index, len(trainers["chief"]) + len(trainers["worker"]),
                       _has_chief=bool(trainers["chief"]))


def make_scratch_folder() -> str:
    """A new temporary folder for what a non-chief worker writes and deletes (its part of each
    checkpoint save)."""
    return tempfile.mkdtemp(prefix="gan-studio-worker-")


def writes_run_folder(strategy: str, environ: dict | None = None) -> bool:
    """Whether this process writes the run folder: always, except a multi-worker run's
    non-chief workers (which save their share of each checkpoint to a scratch folder)."""
    return strategy != "multiworker" or cluster_role(environ).is_chief


def describe_placement(strategy: str, replicas: int, devices: str,
                       role: ClusterRole | None = None) -> str:
    """One line for the device label, the log and `info`: where a run trains.

    Args:
        strategy: one of `STRATEGIES`.
        replicas: replicas in sync (all workers together).
        devices: the device description (`CPU`, `GPU: <name>` ...).
        role: the cluster role of a multi-worker run.
    """
    if strategy == "default":
        return devices
    if strategy == "mirrored":
        return f"{devices}, mirrored over {replicas} replica{'s' * (replicas != 1)}"
    where = f", this is {role.name}" if role is not None else ""
    workers = role.workers if role is not None else "?"
    return f"{devices}, multi-worker: {replicas} replicas on {workers} workers{where}"
