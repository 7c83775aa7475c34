"""A training run: `Trainer` (trainer.py) drives it step by step; `GAN` (gan.py) is the train
step, run per replica by its strategy (distribute.py) on one device's or each replica's batches
(pipeline.py). Around the steps: the data and settings (data.py), the parts set up before the
first step (parts.py), what it writes (outputs.py, grids.py), its faults (faults.py), its length
(length.py) and its quality meter (live_quality.py)."""
