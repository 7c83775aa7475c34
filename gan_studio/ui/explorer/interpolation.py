"""Interpolation controls: endpoints A and B (or a walk through bookmarks), t, play, filmstrip."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.latent.explorer_model import BOOKMARKS, ENDPOINTS, PATH, PLAYBACK, TILE
from gan_studio.core.latent.space import random_latent
from gan_studio.ui.explorer.filmstrip import LatentFilmstrip
from gan_studio.ui.explorer.preview import LatentPreview
from gan_studio.ui.widgets.note_label import note_label

T_STEPS = 1000
WALK = "walk"


class InterpolationPanel(QWidget):
    """Shows and sets the model's path (A to B, or through the bookmarks); the point shown on
    it (t, a frame, playback) becomes the model's base. `endpoint_buttons[name][source]`
    (sources `current`, `random`, `tile`) set the model's endpoints.

    Signals:
        frame_shown(int): the frame index now shown (-1 when t lies between frames).
        tile_requested(str): "Sample Tile" was pressed for endpoint `A` or `B`.

    Args:
        model: the explorer's `ExplorerModel`.
        parent: the parent widget.
    """

    frame_shown = Signal(int)
    tile_requested = Signal(str)

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self._frame = 0
        self._direction = 1
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._build()
        model.observe(self._on_model)

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        model, settings = self._model, self._model.path_settings
        self.source = QComboBox()
        self.source.addItem("From A to B", "ab")
        self.source.addItem("Walk through the bookmarks", WALK)
        self.source.setToolTip("Interpolate between two latents, or walk through every "
                               "bookmark in list order")
        self.source.currentIndexChanged.connect(
            lambda _i: model.set_path_settings(walking=self.source.currentData() == WALK))
        grid = QGridLayout()
        self.thumbnails: dict[str, LatentPreview] = {}
        self.endpoint_buttons: dict[str, dict[str, QPushButton]] = {}
        for row, name in enumerate(ENDPOINTS):
            thumb = LatentPreview(minimum_scale=2)
            thumb.setFixedSize(64, 64)
            thumb.setToolTip(f"Endpoint {name}: click to show it")
            thumb.clicked.connect(lambda n=name: self.show_position(0.0 if n == "A" else 1.0))
            buttons = {}
            for source, text, tip, slot in (
                    ("current", "Current", "Use the latent shown now", self._use_current),
                    ("random", "Random", "Draw a new random latent", self._use_random),
                    ("tile", "Sample Tile", "Use the tile selected in the sample grid",
                     self.tile_requested.emit)):
                button = QPushButton(text)
                button.setToolTip(f"{name}: {tip.lower()}")
                button.clicked.connect(lambda _=False, n=name, slot=slot: slot(n))
                buttons[source] = button
            self.thumbnails[name], self.endpoint_buttons[name] = thumb, buttons
            grid.addWidget(QLabel(f"<b>{name}</b>"), row, 0)
            grid.addWidget(thumb, row, 1)
            for column, button in enumerate(buttons.values()):
                grid.addWidget(button, row, 2 + column)
        grid.setColumnStretch(5, 1)
        self._walk_note = note_label()
        self.t_slider = QSlider(Qt.Orientation.Horizontal)
        self.t_slider.setRange(0, T_STEPS)
        self.t_slider.setToolTip("Position along the path: 0 is A (the first key), 1 is B")
        self.t_slider.valueChanged.connect(self._on_t)
        self._t_label = QLabel("t = 0.00")
        self._t_label.setMinimumWidth(self._t_label.fontMetrics().horizontalAdvance("t = 0.000"))
        self.mode = QComboBox()
        self.mode.addItem("Spherical (slerp)", "slerp")
        self.mode.addItem("Linear (lerp)", "lerp")
        self.mode.setCurrentIndex(self.mode.findData(settings.mode))
        self.mode.setToolTip("Slerp keeps Gaussian latents at their typical length; lerp's "
                             "midpoints are shorter and often blurrier")
        self.mode.currentIndexChanged.connect(
            lambda _i: model.set_path_settings(mode=self.mode.currentData()))
        self.frames = QSpinBox()
        self.frames.setRange(2, 240)
        self.frames.setValue(settings.frames)
        self.frames.setToolTip("Frames of the whole path (filmstrip, playback and exports)")
        self.frames.valueChanged.connect(lambda n: model.set_path_settings(frames=n))
        self.fps = QSpinBox()
        self.fps.setRange(1, 60)
        self.fps.setValue(settings.fps)
        self.fps.setSuffix(" fps")
        self.fps.setToolTip("Playback speed")
        self.fps.valueChanged.connect(lambda fps: model.set_path_settings(fps=fps))
        self.loop = QCheckBox("Loop")
        self.loop.setChecked(settings.loop)
        self.loop.setToolTip("Play back and forth until paused")
        self.loop.toggled.connect(lambda on: model.set_path_settings(loop=on))
        self.play_button = QPushButton("▶ Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Play the path's frames")
        self.play_button.toggled.connect(self.set_playing)
        self.filmstrip = LatentFilmstrip()
        self.filmstrip.frame_clicked.connect(self.show_frame)
        t_row = QHBoxLayout()
        t_row.addWidget(QLabel("t"))
        t_row.addWidget(self.t_slider, 1)
        t_row.addWidget(self._t_label)
        play_row = QHBoxLayout()
        for widget in (self.mode, QLabel("Frames"), self.frames, self.fps, self.loop):
            play_row.addWidget(widget)
        play_row.addStretch(1)
        play_row.addWidget(self.play_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source)
        layout.addLayout(grid)
        layout.addWidget(self._walk_note)
        layout.addLayout(t_row)
        layout.addLayout(play_row)
        layout.addWidget(self.filmstrip)
        layout.addStretch(1)
        self._update_mode_widgets()
        self._follow_path()
        self._show_tile_available()

    # ---- what is shown --------------------------------------------------------------------
    @property
    def current_frame(self) -> int:
        """The frame shown (-1 when t lies between frames)."""
        return self.filmstrip.current

    def set_endpoint_images(self, images) -> None:
        """Thumbnails of A and B as rendered (uint8), in that order."""
        for name, image in zip(ENDPOINTS, images):
            self.thumbnails[name].set_image(image)

    def set_frame_images(self, images) -> None:
        """The path's frames as rendered (uint8 (frames, H, W[, 3])), or None."""
        self.filmstrip.set_frames(images)

    def _use_current(self, name: str) -> None:
        if self._model.state is not None:
            self._model.set_endpoint(name, self._model.state.base)

    def _use_random(self, name: str) -> None:
        if self._model.state is not None:
            self._model.set_endpoint(name, random_latent(self._model.dim))

    # ---- following the model --------------------------------------------------------------
    def _on_model(self, what) -> None:
        if PATH in what or BOOKMARKS in what:
            self._update_mode_widgets()
        if PLAYBACK in what:
            self._show_playback()
        if TILE in what:
            self._show_tile_available()
        if PATH in what:
            self._follow_path()
            if self._model.on_path and self._model.path is not None:
                self._on_t(self.t_slider.value())  # the point shown moves with the path

    def _update_mode_widgets(self) -> None:
        settings = self._model.path_settings
        _set_quietly(self.source, self.source.currentIndex(), self.source.setCurrentIndex,
                     self.source.findData(WALK if settings.walking else "ab"))
        _set_quietly(self.mode, self.mode.currentIndex(), self.mode.setCurrentIndex,
                     self.mode.findData(settings.mode))
        _set_quietly(self.frames, self.frames.value(), self.frames.setValue, settings.frames)
        walking = settings.walking
        for name in ENDPOINTS:
            self.thumbnails[name].setEnabled(not walking)
            for button in self.endpoint_buttons[name].values():
                button.setVisible(not walking)
            self.thumbnails[name].setVisible(not walking)
        count = len(self._model.bookmark_latents())
        self._walk_note.setVisible(walking)
        self._walk_note.setText(
            f"Walks through the {count} bookmarks in list order (drag them to reorder)."
            if count >= 2 else "Bookmark at least two latents to walk through them.")

    def _show_tile_available(self) -> None:
        for name in ENDPOINTS:
            self.endpoint_buttons[name]["tile"].setEnabled(self._model.tile_available)

    def _show_playback(self) -> None:
        settings = self._model.path_settings
        _set_quietly(self.fps, self.fps.value(), self.fps.setValue, settings.fps)
        _set_quietly(self.loop, self.loop.isChecked(), self.loop.setChecked, settings.loop)
        if self._timer.isActive():
            self._timer.setInterval(round(1000 / settings.fps))

    def _follow_path(self) -> None:
        latents = self._model.path_latents(edited=False)
        if latents is None:
            self.set_playing(False)
        else:
            self._frame = min(self._frame, len(latents) - 1)
        self.t_slider.setEnabled(latents is not None)
        self.play_button.setEnabled(latents is not None)

    # ---- moving ---------------------------------------------------------------------------
    def show_position(self, t: float) -> None:
        """Moves to position t in [0, 1] (exactly onto a frame where t is one)."""
        self.t_slider.setValue(round(float(np.clip(t, 0, 1)) * T_STEPS))

    def show_frame(self, index: int) -> None:
        """Moves to frame `index` of the path."""
        latents = self._model.path_latents(edited=False)
        if latents is None or not 0 <= index < len(latents):
            return
        self._frame = index
        self._set_t_quietly(index / (len(latents) - 1))
        self.filmstrip.set_current(index)
        self.frame_shown.emit(index)
        self._model.set_base_from_path(latents[index])

    def set_playing(self, playing: bool) -> None:
        """Starts or pauses playback."""
        latents = self._model.path_latents(edited=False)
        playing = playing and latents is not None
        if self.play_button.isChecked() != playing:
            self.play_button.setChecked(playing)  # re-enters with the same value
            return
        self.play_button.setText("❚❚ Pause" if playing else "▶ Play")
        if playing:
            settings = self._model.path_settings
            if not settings.loop and self._frame >= len(latents) - 1:
                self._frame, self._direction = -1, 1  # played to the end: start over
            self._timer.start(round(1000 / settings.fps))
        else:
            self._timer.stop()

    @property
    def playing(self) -> bool:
        """Whether playback runs."""
        return self._timer.isActive()

    def _tick(self) -> None:
        latents = self._model.path_latents(edited=False)
        if latents is None:
            return self.set_playing(False)
        last = len(latents) - 1
        frame = self._frame + self._direction
        if frame > last or frame < 0:
            if not self._model.path_settings.loop:
                return self.set_playing(False)
            self._direction = -self._direction
            frame = self._frame + self._direction
        self.show_frame(int(np.clip(frame, 0, last)))

    def _on_t(self, value: int) -> None:
        self._t_label.setText(f"t = {value / T_STEPS:.2f}")
        path = self._model.path
        if path is None:
            return
        self.set_playing(False)  # the user took over
        t = value / T_STEPS
        index = t * (len(self._model.path_latents(edited=False)) - 1)
        if abs(index - round(index)) < 1e-9:
            return self.show_frame(round(index))
        self.filmstrip.set_current(-1)
        self.frame_shown.emit(-1)
        self._model.set_base_from_path(path.at(t))

    def _set_t_quietly(self, t: float) -> None:
        self.t_slider.blockSignals(True)
        self.t_slider.setValue(round(t * T_STEPS))
        self.t_slider.blockSignals(False)
        self._t_label.setText(f"t = {t:.2f}")


def _set_quietly(widget: QWidget, shown, setter, value) -> None:
    """Shows `value` on `widget` without its change signal (only if it shows another)."""
    if shown != value:
        widget.blockSignals(True)
        setter(value)
        widget.blockSignals(False)
