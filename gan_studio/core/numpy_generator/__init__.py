"""A generator in numpy (`generator.NumpyGenerator`, built from `layers`): the latent explorer
renders with it on any thread, without TensorFlow."""
