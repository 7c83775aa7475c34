"""The `tf.distribute` strategy a run trains under, and this process's part in it."""

from __future__ import annotations

import contextlib
import signal
import threading
from dataclasses import dataclass, field

from gan_studio.core.distribution import (
    COLLECTIVE_TIMEOUT,
    ClusterError,
    ClusterRole,
    cluster_role,
    describe_placement,
)
from gan_studio.ml.runtime.device import configure_device, import_tensorflow

_lock = threading.Lock()
_multiworker = None  # one per process: TensorFlow sets its collectives up once, at start


class PlacementError(ValueError):
    """Raised when a strategy cannot be set up (bad TF_CONFIG, devices, batch size); one line."""


@dataclass
class Placement:
    """Where a run trains.

    Args:
        strategy: the `tf.distribute.Strategy` (the default strategy for one device).
        name: the config's strategy name (`default`, `mirrored`, `multiworker`).
        role: this process's `ClusterRole` in a multi-worker run, else None.
        description: one line for the device label and the log.
    """

    strategy: object
    name: str
    role: ClusterRole | None
    description: str
    _any_worker: object = field(default=None, repr=False)  # the compiled all-reduce

    @property
    def replicas(self) -> int:
        """Replicas in sync, all workers together."""
        return int(self.strategy.num_replicas_in_sync)

    @property
    def is_chief(self) -> bool:
        """Whether this process writes the run folder."""
        return self.role is None or self.role.is_chief

    def epoch_dataset(self, images, order, steps_per_call: int, labels=None):
        """One epoch's batches (`ml.training.pipeline`): as they are on one device, or split over the
        replicas."""
        from gan_studio.ml.training.pipeline import distributed_epoch_dataset, epoch_dataset

        if self.name == "default":
            return epoch_dataset(images, order, steps_per_call, labels)
        return distributed_epoch_dataset(self.strategy, images, order, steps_per_call, labels)

    def any_worker(self, flag: bool) -> bool:
        """Whether `flag` (a stop) is set on any worker of a multi-worker run (on one process:
        `flag` itself).

        Every worker calls it at the same point of each step, so a stop asked on one (Ctrl-C,
        SIGTERM) stops them all after the same step, and they save that step's checkpoint
        together; a worker that went on alone would wait on the others' collectives.
        """
        if self.role is None:
            return flag
        tf = import_tensorflow()
        if self._any_worker is None:
            strategy = self.strategy

            def any_worker(value):
                asked = strategy.run(tf.identity, args=(value,))
                return strategy.reduce("SUM", asked, axis=None)  # (SUM and MEAN only)

            self._any_worker = tf.function(any_worker, autograph=False)
        return bool(self._any_worker(tf.constant(float(flag))).numpy() > 0)

    @contextlib.contextmanager
    def worker_failures(self, progress):
        """Within `with`, a collective that fails in a multi-worker run (another worker died,
        hung past the timeout or cannot be reached) ends the run with a `TrainingError`: one
        line naming the step and the last checkpoint, which is intact.

        Args:
            progress: returns (the step reached, the prefix of the last checkpoint or None).
        """
        try:
            yield
        except worker_failure_types() as exc:
            if self.role is None:
                raise
            from gan_studio.ml.runs.checkpoints import describe_error
            from gan_studio.ml.training.data import TrainingError

            step, saved = progress()
            kept = (f"the last checkpoint, {saved}, is intact: resume from it" if saved
                    else "the chief's run folder keeps the last checkpoint" if not self.is_chief
                    else "no checkpoint was saved yet")
            raise TrainingError(f"{self.role.name}: another worker stopped answering at step "
                                f"{step} ({describe_error(exc)}); training ends here, and "
                                f"{kept}") from None


def placement_for(config) -> Placement:
    """Sets up the strategy that `config.strategy` names.

    `default` is TensorFlow's default strategy (one device, no copies). `mirrored` is a
    `MirroredStrategy` over `config.devices`, or over every local GPU (the CPU where there is
    none). `multiworker` is a `MultiWorkerMirroredStrategy` configured by `TF_CONFIG`, with a
    timeout on its collectives so that a worker that dies ends the run on the others; it is
    made once per process (TensorFlow configures its collectives once), so call this before
    the process runs any other TensorFlow op.

    Raises:
        PlacementError: for a malformed `TF_CONFIG`, an unknown device, or a batch size that
            does not split evenly over the replicas.
    """
    tf = import_tensorflow()
    devices = configure_device()
    role = None
    if config.strategy == "default":
        strategy = tf.distribute.get_strategy()
    elif config.strategy == "mirrored":
        strategy = _mirrored(tf, list(config.devices))
    else:
        try:
            role = cluster_role()
        except ClusterError as exc:
            raise PlacementError(str(exc)) from None
        strategy = _multi_worker(tf)
    placement = Placement(strategy, config.strategy, role,
                          describe_placement(config.strategy, int(strategy.num_replicas_in_sync),
                                             devices, role))
    if config.batch_size % placement.replicas:
        raise PlacementError(f"the batch size {config.batch_size} does not split evenly over "
                             f"{placement.replicas} replicas: use a multiple of "
                             f"{placement.replicas}")
    return placement


def _mirrored(tf, devices: list[str]):
    if not devices:
        gpus = tf.config.list_logical_devices("GPU")
        devices = [gpu.name for gpu in gpus] or None  # None: MirroredStrategy takes the CPU
    else:
        known = {_full_name(d.name): d.name for d in tf.config.list_logical_devices()}
        missing = [d for d in devices if _full_name(d) not in known]
        if missing:
            raise PlacementError(f"no device {', '.join(missing)} here; TensorFlow sees "
                                 + ", ".join(sorted(known.values())))
        devices = [known[_full_name(d)] for d in devices]
    return tf.distribute.MirroredStrategy(devices)


def _full_name(device: str) -> str:
    """`/gpu:0`, `GPU:0` and `/device:GPU:0` all name `gpu:0`."""
    return device.lower().rsplit("/", 1)[-1].removeprefix("device:")


def _multi_worker(tf):
    global _multiworker
    with _lock:
        if _multiworker is None:
            options = tf.distribute.experimental.CommunicationOptions(
                timeout_seconds=COLLECTIVE_TIMEOUT)
            try:
                _multiworker = tf.distribute.MultiWorkerMirroredStrategy(
                    communication_options=options)
            except (ValueError, RuntimeError, tf.errors.OpError) as exc:
                raise PlacementError(f"cannot start the multi-worker strategy: "
                                     f"{str(exc).splitlines()[0] if str(exc) else exc}") from exc
            _keep_python_sigterm()
        return _multiworker


def _keep_python_sigterm() -> None:
    """Puts Python's SIGTERM handler back in place after the multi-worker strategy started.

    TensorFlow's coordination service installs a C-level SIGTERM handler of its own (its
    preemption notifier), which took SIGTERM away from the command line's clean stop: a
    worker sent SIGTERM trained on to its last step. The handler Python holds is installed
    again; only the main thread may do so.
    """
    if threading.current_thread() is threading.main_thread():
        handler = signal.getsignal(signal.SIGTERM)
        if handler is not None:
            signal.signal(signal.SIGTERM, handler)


def worker_failure_types():
    """The TensorFlow errors that a collective raises when another worker is gone or hung."""
    tf = import_tensorflow()
    return (tf.errors.UnavailableError, tf.errors.DeadlineExceededError,
            tf.errors.CancelledError, tf.errors.AbortedError)
