"""TensorFlow's first import is shared: a thread that asks while another is importing waits for
the whole module, rather than getting the half-initialised one sys.modules already holds."""

import threading

from gan_studio.ml.runtime import device


def test_a_second_thread_waits_for_an_import_in_progress(monkeypatch):
    import tensorflow as tf

    monkeypatch.setattr(device, "_tensorflow", None)  # as before the first import
    got = []
    with device._import_lock:  # another thread is importing TensorFlow now
        asker = threading.Thread(target=lambda: got.append(device.import_tensorflow()))
        asker.start()
        asker.join(0.3)
        assert asker.is_alive() and not got  # it waits, and does not take the partial module
    asker.join(30)
    assert got == [tf] and device.import_tensorflow() is tf
    assert hasattr(got[0], "errors")
