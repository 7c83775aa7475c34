"""The latent space, numpy only: sampling and interpolation (`space`), GANSpace directions
(`directions`), what the explorer shows (`state`), bookmarks (`bookmarks`) and latent files
(`files`)."""
