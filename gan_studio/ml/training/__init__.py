"""A training run: `Trainer` (trainer.py) drives it step by step; `GAN` (gan.py) is the train
step, run per replica by its strategy (distribute.py) on one device's or each replica's batches
(pipeline.py). Around the steps: the data and settings (data.py), the parts set up before the
first step (parts.py), what it writes (outputs.py), its faults (faults.py), and the hooks the
trainer calls at each point of its loop (hooks.py): the sample grid (grids.py), the
checkpoints (checkpointing.py), the quality meter (live_quality.py) and its length (length.py)."""
