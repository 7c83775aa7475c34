"""A trained generator outside its run: exported and loaded (`export`, `model_file`), copied to
numpy for the explorer (`numpy_export`), rendered by TensorFlow where numpy cannot
(`keras_renderer`), and judged by the run's discriminator (`verdict`)."""
