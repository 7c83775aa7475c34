"""Jobs that need the training engine (and so TensorFlow), for a `TaskRunner` to run off the
GUI thread; TensorFlow is imported when a job runs, never when the window starts."""

from __future__ import annotations


def export_generator_file(run_dir: str, out_path: str) -> str:
    """Writes the run's generator (latest checkpoint) as a `.keras` file.

    Returns:
        `out_path`.

    Raises:
        gan_studio.ml.generators.export.ModelLoadError: if the run has no usable checkpoint.
    """
    from gan_studio.ml.generators.export import export_generator

    export_generator(run_dir, out_path)
    return out_path
