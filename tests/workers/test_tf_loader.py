"""Loading TensorFlow in the background: priority and the garbage collector."""

import gc

from gan_studio.workers import tf_loader


def test_freezing_keeps_loaded_objects_out_of_full_collections():
    gc.unfreeze()
    try:
        before = len(gc.get_objects(generation=2))
        frozen = tf_loader.freeze_loaded_objects()
        assert frozen >= before > 0
        assert len(gc.get_objects(generation=2)) == 0  # nothing left for a full pass to scan
        held = [object()]  # objects made later are collected as usual: in a generation a
        # collection scans, not the frozen one (whose count other threads' frees can lower)
        assert gc.is_tracked(held) and any(obj is held for obj in gc.get_objects())
    finally:
        gc.unfreeze()


def test_loading_tensorflow_freezes_the_heap(monkeypatch):
    calls = []
    monkeypatch.setattr(tf_loader, "freeze_loaded_objects", lambda: calls.append(1) or 1)
    monkeypatch.setattr(tf_loader, "lower_thread_priority", lambda *a: False)
    device = tf_loader.load_tensorflow()
    assert device == "CPU" or device.startswith("GPU: ")
    assert calls == [1]  # after TensorFlow's import, once
