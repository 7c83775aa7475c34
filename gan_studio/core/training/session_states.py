"""The states a training session goes through, as the window shows them.

`workers.training.session.TrainingSession` moves between them; the window's panels and menus
enable their controls from them. They are plain strings, so they print and compare as such.
"""

IDLE = "idle"
STARTING = "starting"  # loading or downloading data, building models
TRAINING = "training"
PAUSED = "paused"
STOPPING = "stopping"

STATES = (IDLE, STARTING, TRAINING, PAUSED, STOPPING)
# A run exists and can be paused or stopped.
ACTIVE = (STARTING, TRAINING, PAUSED)
