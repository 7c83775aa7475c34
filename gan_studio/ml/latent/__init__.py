"""A picture's place in a generator's latent space: the search (`projection`, GAN inversion)
and its feature loss from the quality meter's network (`projection_features`)."""
