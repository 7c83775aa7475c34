"""The Image size choice: automatic by default, naming the size it took; saved choices kept."""

from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event


def test_the_image_size_is_automatic_by_default_and_the_chooser_names_the_size_taken(
        open_window, qtbot, tmp_path):
    window = open_window()
    chooser = window.training_panel.dataset
    chooser.set_dataset(str(tmp_path))
    assert chooser.image_size.currentIndex() == 0 and chooser.image_size.currentData() is None
    assert chooser.image_size.currentText() == "Automatic (the images' size, up to 64)"
    assert window.training_panel.config().image_size is None
    window.session.event.emit(Event(EventKind.IMAGE_SIZE, "Images are 32×32: training at 32×32",
                                    {"width": 32, "height": 32, "size": 32}))
    qtbot.waitUntil(lambda: chooser.image_size.currentText().startswith("Automatic (32"))
    assert chooser.image_size.currentText() == "Automatic (32 × 32 for these images)"
    chooser._paths["images"].path_changed.emit(str(tmp_path / "other"))
    assert chooser.image_size.currentText() == "Automatic (the images' size, up to 64)"


def test_a_saved_explicit_size_is_kept_and_the_old_default_becomes_automatic(open_window):
    window = open_window()
    chooser = window.training_panel.dataset
    chooser.set_values({"image_size": 32})  # settings saved before sizes were automatic
    assert chooser.image_size.currentData() == 32
    chooser.set_values({"image_size": 64})  # ... their 64 was the default then, not a choice
    assert chooser.image_size.currentData() is None
    chooser.set_values({"image_size": 64, "automatic_size": True})  # a 64 chosen since
    assert chooser.image_size.currentData() == 64
    assert window.training_panel.config().image_size == 64
    assert chooser.values()["automatic_size"]
    chooser.set_values(chooser.values())
    assert chooser.image_size.currentData() == 64
    chooser.set_values({"image_size": None, "automatic_size": True})
    assert chooser.image_size.currentData() is None


def test_a_shown_run_shows_the_size_it_trained_at_and_the_form_comes_back(open_window,
                                                                         tmp_path):
    from gan_studio.core.config import TrainConfig

    panel = open_window().training_panel
    chooser = panel.dataset
    chooser.set_dataset(str(tmp_path / "pets"))
    assert chooser.image_size.currentData() is None
    panel.show_run(str(tmp_path / "runs" / "pets-1"),
                   TrainConfig(dataset=str(tmp_path / "pets"), image_size=32))
    assert chooser.image_size.currentData() == 32
    panel.clear_run()
    assert chooser.image_size.currentData() is None  # the new run's form as it was
