"""What `gan-studio info` says about the strategies a run can train with here."""

from __future__ import annotations

import os

from gan_studio.core.distribution import ClusterError, cluster_role


def strategy_rows() -> list[tuple[str, str]]:
    """Rows for `info`: the replicas `mirrored` would use, and this machine's part in a
    multi-worker cluster if `TF_CONFIG` describes one (imports TensorFlow)."""
    from gan_studio.ml.runtime.device import gpu_count

    gpus = gpu_count()
    mirrored = (f"{gpus} replicas, one per GPU" if gpus > 1
                else "1 replica (it needs several GPUs, or --devices)")
    if not os.environ.get("TF_CONFIG"):
        multiworker = "TF_CONFIG is not set"
    else:
        try:
            role = cluster_role()
            multiworker = (f"{role.name} of {role.workers} workers"
                           + (", the chief (writes the run folder)" if role.is_chief else ""))
        except ClusterError as exc:
            multiworker = f"TF_CONFIG is unusable: {exc}"
    return [("Strategies", "default: one device"), ("  mirrored", mirrored),
            ("  multiworker", multiworker)]
