"""TensorFlow keeps every graph that traced a custom gradient: letting go of ours once traced."""

from __future__ import annotations

import contextlib
import logging

from gan_studio.ml.runtime.device import compile_notices_filtered

log = logging.getLogger(__name__)


def call_releasing(function, *args):
    """Calls `function` (a `tf.function`) with `args`; if that traced it, releases the custom
    gradients of its graphs (`release_custom_gradients`) so that they go with `function`.
    The first call's compile notices are held back (`compile_notices_filtered`).

    For functions that take their gradients inside (a train step) and are never
    differentiated from outside: that would need the released gradients. Any other callable
    (a test's stand-in) is just called.

    Returns:
        What `function` returned.
    """
    count = getattr(function, "experimental_get_tracing_count", None)
    traces = count() if count is not None else None
    with compile_notices_filtered() if traces == 0 else contextlib.nullcontext():
        result = function(*args)
    if traces is not None and count() != traces:
        release_custom_gradients(function)
    return result


def traced_graphs(*functions) -> list:
    """The graphs that `functions` (`tf.function`s; None is skipped) have traced so far."""
    graphs = []
    for function in functions:
        # (Untraced, a function with an input signature would trace itself to list it.)
        if function is None or not function.experimental_get_tracing_count():
            continue
        try:
            concrete = list(function._list_all_concrete_functions())
        except AttributeError:  # another TensorFlow: nothing found, nothing released
            log.debug("cannot list the concrete functions of %r", function)
            continue
        graphs.extend(c.graph for c in concrete)
    return graphs


def release_custom_gradients(*functions) -> int:
    """Forgets the custom gradients that `functions`' traced graphs registered.

    In a graph, each use of `tf.custom_gradient` registers its gradient function in
    TensorFlow's process-wide gradient registry under a new name, and nothing ever removes it
    (tensorflow/tensorflow#27492, #97697). The function holds the forward pass's tensors, and
    they hold their graph: every op of it, and the handles of the variables it captured.
    Keras' optimizers use one in each traced `apply_gradients` (the all-reduce of the
    gradients over replicas, also under the default strategy of one device), so each run in
    a window session kept its train step's graph for good (1,424 ops on MNIST), and the
    process grew run after run (tests/benchmarks/runs_soak.py).

    A graph names its custom gradients in its `IdentityN` ops (`_gradient_op_type`, which is
    how TensorFlow finds them): only those names are dropped, so a function that another
    thread traces meanwhile keeps its own. A traced graph runs without them; they are needed
    to differentiate it again, from outside (a train step takes its gradients inside, at
    trace time). Custom gradients inside a `tf.cond` or loop body are in a nested graph and
    not found (none are today).

    Args:
        functions: `tf.function`s (None and untraced ones are skipped).

    Returns:
        How many registry entries were dropped (0 where TensorFlow's internals differ from
        those read here: the graphs then stay, as before, and nothing else changes).
    """
    names = set()
    for graph in traced_graphs(*functions):
        names.update(_custom_gradient_names(graph))
    if not names:
        return 0
    try:
        from tensorflow.python.framework import ops

        registry = ops._gradient_registry._registry  # (no public way to remove an entry)
    except (ImportError, AttributeError):
        log.debug("no gradient registry to release %d custom gradients from", len(names))
        return 0
    return sum(registry.pop(name, None) is not None for name in names)


def _custom_gradient_names(graph) -> set[str]:
    names = set()
    for op in graph.get_operations():
        if op.type != "IdentityN":
            continue
        try:
            name = op.get_attr("_gradient_op_type")
        except ValueError:  # a plain IdentityN
            continue
        names.add(name.decode() if isinstance(name, bytes) else str(name))
    return names
