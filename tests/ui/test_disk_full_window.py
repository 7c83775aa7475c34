"""Save Sample Grid on a full disk: a dialog naming the file and the problem, no partial file."""

import os


def test_the_window_says_the_grid_could_not_be_saved(open_window, fake_engine, qtbot, tmp_path,
                                                     message_boxes, monkeypatch, full_disk):
    import gan_studio.ui.training.image_actions as image_actions

    window = open_window(fake_engine)
    window.training_panel.train_button.click()
    qtbot.waitUntil(lambda: window.sample_view.current_image() is not None, timeout=10000)
    target = str(tmp_path / "out" / "grid.png")
    monkeypatch.setattr(image_actions.ScaleDialog, "ask", staticmethod(lambda *a, **k: 2))
    monkeypatch.setattr(image_actions, "ask_save_path", lambda *a, **k: target)
    assert window.images.save_shown(whole_grid=True) is None
    kind, title, text = message_boxes[0][:3]
    assert (kind, title) == ("warning", "Cannot Save Image")
    assert target in text and "No space left" in text and "\n" not in text
    assert os.listdir(tmp_path / "out") == []
