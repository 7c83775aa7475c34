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

from gan_studio.core.latent.state import InterpolationPath
from gan_studio.ui.explorer.filmstrip import LatentFilmstrip
from gan_studio.ui.explorer.preview import LatentPreview

T_STEPS = 1000
ENDPOINTS = ("A", "B")
WALK = "walk"


class InterpolationPanel(QWidget):
    """Builds a path (A to B, or through the bookmarks) and moves along it.

    The endpoint buttons are public (`endpoint_buttons[name][source]`, sources `current`,
    `random` and `tile`) so that the explorer, which knows those latents, can answer them.

    Signals:
        base_changed(object): the latent at the new position (t moved, a frame was played or
            clicked); float32 (D,).
        path_changed(): the keys, mode or frame count changed (the filmstrip needs redrawing).
        frame_shown(int): the frame index now shown (-1 when t lies between frames).

    Args:
        parent: the parent widget.
    """

    base_changed = Signal(object)
    path_changed = Signal()
    frame_shown = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._endpoints: dict[str, np.ndarray | None] = {"A": None, "B": None}
        self._walk_keys: np.ndarray | None = None
        self._path: InterpolationPath | None = None
        self._latents: np.ndarray | None = None
        self._frame = 0
        self._direction = 1
        self._attached = False  # the explorer shows a point of the path (t moves it)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._build()

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.source = QComboBox()
        self.source.addItem("From A to B", "ab")
        self.source.addItem("Walk through the bookmarks", WALK)
        self.source.setToolTip("Interpolate between two latents, or walk through every "
                               "bookmark in list order")
        self.source.currentIndexChanged.connect(self._on_path_settings)
        grid = QGridLayout()
        self.thumbnails: dict[str, LatentPreview] = {}
        self.endpoint_buttons: dict[str, dict[str, QPushButton]] = {}
        for row, name in enumerate(ENDPOINTS):
            thumb = LatentPreview(minimum_scale=2)
            thumb.setFixedSize(64, 64)
            thumb.setToolTip(f"Endpoint {name}: click to show it")
            thumb.clicked.connect(lambda n=name: self.show_position(0.0 if n == "A" else 1.0))
            buttons = {}
            for source, text, tip in (
                    ("current", "Current", "Use the latent shown now"),
                    ("random", "Random", "Draw a new random latent"),
                    ("tile", "Sample Tile", "Use the tile selected in the sample grid")):
                button = QPushButton(text)
                button.setToolTip(f"{name}: {tip.lower()}")
                buttons[source] = button
            self.thumbnails[name], self.endpoint_buttons[name] = thumb, buttons
            grid.addWidget(QLabel(f"<b>{name}</b>"), row, 0)
            grid.addWidget(thumb, row, 1)
            for column, button in enumerate(buttons.values()):
                grid.addWidget(button, row, 2 + column)
        grid.setColumnStretch(5, 1)
        self._walk_note = QLabel("")
        self._walk_note.setWordWrap(True)
        self._walk_note.setEnabled(False)
        self.t_slider = QSlider(Qt.Orientation.Horizontal)
        self.t_slider.setRange(0, T_STEPS)
        self.t_slider.setToolTip("Position along the path: 0 is A (the first key), 1 is B")
        self.t_slider.valueChanged.connect(self._on_t)
        self._t_label = QLabel("t = 0.00")
        self._t_label.setMinimumWidth(self._t_label.fontMetrics().horizontalAdvance("t = 0.000"))
        self.mode = QComboBox()
        self.mode.addItem("Spherical (slerp)", "slerp")
        self.mode.addItem("Linear (lerp)", "lerp")
        self.mode.setToolTip("Slerp keeps Gaussian latents at their typical length; lerp's "
                             "midpoints are shorter and often blurrier")
        self.mode.currentIndexChanged.connect(self._on_path_settings)
        self.frames = QSpinBox()
        self.frames.setRange(2, 240)
        self.frames.setValue(16)
        self.frames.setToolTip("Frames of the whole path (filmstrip, playback and exports)")
        self.frames.valueChanged.connect(self._on_path_settings)
        self.fps = QSpinBox()
        self.fps.setRange(1, 60)
        self.fps.setValue(12)
        self.fps.setSuffix(" fps")
        self.fps.setToolTip("Playback speed")
        self.fps.valueChanged.connect(self._on_fps)
        self.loop = QCheckBox("Loop")
        self.loop.setChecked(True)
        self.loop.setToolTip("Play back and forth until paused")
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

    # ---- state ----------------------------------------------------------------------------
    @property
    def walking(self) -> bool:
        """Whether the path walks through the bookmarks rather than from A to B."""
        return self.source.currentData() == WALK

    def endpoint(self, name: str) -> np.ndarray | None:
        """Endpoint `A` or `B` (D,), or None."""
        return self._endpoints[name]

    def path(self) -> InterpolationPath | None:
        """The current path, or None while it lacks keys."""
        return self._path

    def path_latents(self) -> np.ndarray | None:
        """The path's frames' latents (frames, D) before edits, or None."""
        return self._latents

    @property
    def current_frame(self) -> int:
        """The frame shown (-1 when t lies between frames)."""
        return self.filmstrip.current

    def set_endpoint(self, name: str, latent: np.ndarray | None) -> None:
        """Sets endpoint `A` or `B`."""
        self._endpoints[name] = None if latent is None else np.asarray(latent, np.float32).copy()
        self._rebuild_path()

    def set_endpoints(self, a: np.ndarray, b: np.ndarray) -> None:
        """Sets both endpoints at once (e.g. for a generator of another latent size)."""
        self._endpoints = {"A": np.asarray(a, np.float32).copy(),
                           "B": np.asarray(b, np.float32).copy()}
        self._rebuild_path()

    def set_walk_keys(self, keys: np.ndarray | None) -> None:
        """The bookmarks' latents (K, D) for the walk (None or fewer than two: no walk)."""
        self._walk_keys = None if keys is None else np.asarray(keys, np.float32).copy()
        if self.walking:
            self._rebuild_path()
        self._update_mode_widgets()

    def set_tile_available(self, available: bool) -> None:
        """Enables the "Sample Tile" buttons when a tile with a known latent is selected."""
        for name in ENDPOINTS:
            self.endpoint_buttons[name]["tile"].setEnabled(available)

    def set_endpoint_images(self, images) -> None:
        """Thumbnails of A and B as rendered (uint8), in that order."""
        for name, image in zip(ENDPOINTS, images):
            self.thumbnails[name].set_image(image)

    # ---- moving ---------------------------------------------------------------------------
    def show_position(self, t: float) -> None:
        """Moves to position t in [0, 1] (exactly onto a frame where t is one)."""
        self.t_slider.setValue(round(float(np.clip(t, 0, 1)) * T_STEPS))

    def show_frame(self, index: int) -> None:
        """Moves to frame `index` of the path."""
        if self._latents is None or not 0 <= index < len(self._latents):
            return
        self._frame = index
        self._attached = True
        self._set_t_quietly(index / (len(self._latents) - 1))
        self.filmstrip.set_current(index)
        self.frame_shown.emit(index)
        self.base_changed.emit(self._latents[index])

    def detach(self) -> None:
        """Notes that the latent shown no longer lies on the path (changing it moves nothing)."""
        self._attached = False

    def set_playing(self, playing: bool) -> None:
        """Starts or pauses playback."""
        playing = playing and self._latents is not None
        if self.play_button.isChecked() != playing:
            self.play_button.setChecked(playing)  # re-enters with the same value
            return
        self.play_button.setText("❚❚ Pause" if playing else "▶ Play")
        if playing:
            if not self.loop.isChecked() and self._frame >= len(self._latents) - 1:
                self._frame, self._direction = -1, 1  # played to the end: start over
            self._timer.start(round(1000 / self.fps.value()))
        else:
            self._timer.stop()

    @property
    def playing(self) -> bool:
        """Whether playback runs."""
        return self._timer.isActive()

    def _tick(self) -> None:
        if self._latents is None:
            return self.set_playing(False)
        last = len(self._latents) - 1
        frame = self._frame + self._direction
        if frame > last or frame < 0:
            if not self.loop.isChecked():
                return self.set_playing(False)
            self._direction = -self._direction
            frame = self._frame + self._direction
        self.show_frame(int(np.clip(frame, 0, last)))

    def _on_t(self, value: int) -> None:
        self._t_label.setText(f"t = {value / T_STEPS:.2f}")
        if self._path is None:
            return
        self.set_playing(False)  # the user took over
        t = value / T_STEPS
        index = t * (len(self._latents) - 1)
        if abs(index - round(index)) < 1e-9:
            return self.show_frame(round(index))
        self._attached = True
        self.filmstrip.set_current(-1)
        self.frame_shown.emit(-1)
        self.base_changed.emit(self._path.at(t))

    def _set_t_quietly(self, t: float) -> None:
        self.t_slider.blockSignals(True)
        self.t_slider.setValue(round(t * T_STEPS))
        self.t_slider.blockSignals(False)
        self._t_label.setText(f"t = {t:.2f}")

    def _on_fps(self, fps: int) -> None:
        if self._timer.isActive():
            self._timer.setInterval(round(1000 / fps))

    # ---- the path -------------------------------------------------------------------------
    def _on_path_settings(self, *_args) -> None:
        self._update_mode_widgets()
        self._rebuild_path()

    def _update_mode_widgets(self) -> None:
        walking = self.walking
        for name in ENDPOINTS:
            self.thumbnails[name].setEnabled(not walking)
            for button in self.endpoint_buttons[name].values():
                button.setVisible(not walking)
            self.thumbnails[name].setVisible(not walking)
        count = 0 if self._walk_keys is None else len(self._walk_keys)
        self._walk_note.setVisible(walking)
        self._walk_note.setText(
            f"Walks through the {count} bookmarks in list order (drag them to reorder)."
            if count >= 2 else "Bookmark at least two latents to walk through them.")

    def _rebuild_path(self) -> None:
        keys = self._walk_keys if self.walking else (
            None if any(e is None for e in self._endpoints.values()) else
            np.stack([self._endpoints["A"], self._endpoints["B"]]))
        if keys is None or len(keys) < 2 or keys.shape[1] == 0:
            self._path = self._latents = None
            self.set_playing(False)
        else:
            self._path = InterpolationPath(keys, self.mode.currentData(), self.frames.value())
            self._latents = self._path.latents()
            self._frame = min(self._frame, len(self._latents) - 1)
        self.t_slider.setEnabled(self._path is not None)
        self.play_button.setEnabled(self._path is not None)
        self.path_changed.emit()
        if self._attached and self._path is not None:
            self._on_t(self.t_slider.value())  # the point shown moves with the path
