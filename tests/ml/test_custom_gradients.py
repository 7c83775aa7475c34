"""TensorFlow's gradient registry keeps each graph that traced a custom gradient (Keras'
optimizers trace one per `apply_gradients`): `release_custom_gradients` lets go of the ones
a function's graphs registered, and of no other; `call_releasing` does it after a trace."""

import gc
import weakref

import numpy as np

from gan_studio.ml.runtime.custom_gradients import (
    _custom_gradient_names,
    call_releasing,
    release_custom_gradients,
    traced_graphs,
)


def _optimizer_step():
    """A `tf.function` that takes one Adam step, as the train steps do (not traced yet)."""
    import keras
    import tensorflow as tf

    variable = tf.Variable(tf.ones([3]))
    optimizer = keras.optimizers.Adam(0.1)
    optimizer.build([variable])

    @tf.function(autograph=False)
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(variable))
        optimizer.apply_gradients([(tape.gradient(loss, variable), variable)])
        return loss

    return step


def _registered(names) -> list[bool]:
    from tensorflow.python.framework import ops

    return [name in ops._gradient_registry.list() for name in names]


def test_a_released_function_s_graph_is_freed_and_others_keep_their_gradients():
    kept, released = _optimizer_step(), _optimizer_step()
    kept()
    released()
    (kept_graph,) = traced_graphs(kept)
    kept_names = _custom_gradient_names(kept_graph)
    assert kept_names  # Keras' all-reduce of the gradients, also on one device
    (graph,) = traced_graphs(released)
    graph = weakref.ref(graph)
    assert release_custom_gradients(released) >= 1
    assert release_custom_gradients(released) == 0
    assert np.isfinite(released().numpy())  # a traced graph runs without them
    del released
    gc.collect()
    assert graph() is None
    assert all(_registered(kept_names))  # another job's (another thread's) stay


def test_call_releasing_releases_after_the_call_that_traced():
    step = _optimizer_step()
    first = call_releasing(step).numpy()
    (graph,) = traced_graphs(step)
    names = _custom_gradient_names(graph)
    assert names and not any(_registered(names))
    assert call_releasing(step).numpy() < first  # Adam went on descending
    graph = weakref.ref(graph)
    del step
    gc.collect()
    assert graph() is None


def test_nothing_traced_nothing_released():
    import tensorflow as tf

    signed = tf.function(lambda x: x * 2, input_signature=[tf.TensorSpec([None], tf.float32)])
    assert traced_graphs(None, signed) == []  # (listing it would have traced it)
    assert signed.experimental_get_tracing_count() == 0
    assert release_custom_gradients(None, signed) == 0
