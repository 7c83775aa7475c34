"""DCGAN generator and discriminator builders (Keras 3 functional models)."""

from __future__ import annotations

from gan_studio.core.presets import DCGAN_RECIPE

# Width of the generator's class embedding. The embedding is concatenated to z and both go
# through the "project" Dense (no bias), so a class amounts to a learned offset of the
# projection; the offsets of C classes span min(C, width) directions. 32 leaves every class
# of the built-ins (10) its own direction and 32-class folders independent ones, at a small
# cost next to z (100-128 wide): MNIST's projection grows by 32 x 12,544 weights.
CLASS_EMBEDDING_SIZE = 32


def _initializer(weight_init: str, seed: int | None):
    import keras

    if weight_init == "normal_0.02":
        # Radford et al. 2015: all weights from N(0, 0.02).
        return keras.initializers.RandomNormal(mean=0.0, stddev=0.02, seed=seed)
    return keras.initializers.GlorotUniform(seed=seed)


def generator_plan(height: int, width: int, channels: int) -> tuple[int, int, list[tuple[int, int]]]:
    """Returns the generator's layout for an output shape.

    The seed's MNIST generator starts at 7x7 and the CIFAR-10 one at 8x8; both up-sample twice.
    Larger squares add one stride-2 stage per doubling, so 64x64 starts at 8x8 with three stages.

    Args:
        height: output height.
        width: output width (must equal height).
        channels: output channels (1 or 3).

    Returns:
        (start_side, start_filters, hidden) where hidden lists (filters, stride) of the
        hidden transposed convolutions, before the final stride-2 output layer.

    Raises:
        ValueError: if the shape is not a square whose side is 7 or 8 times a power of two (>= 28).
    """
    if height != width or channels not in (1, 3):
        raise ValueError(f"unsupported image shape {height}x{width}x{channels}")
    if (height, channels) == (28, 1) or height == 28:
        return 7, 256, [(128, 1), (64, 2)]
    if height == 32:
        return 8, 256, [(256, 1), (128, 1), (128, 1), (64, 2)]
    side, doublings = height, 0
    while side > 8 and side % 2 == 0:
        side //= 2
        doublings += 1
    if side not in (7, 8) or doublings < 2:
        raise ValueError(f"unsupported image size {height}: use 28, 32, 64 or 128")
    if side == 7:
        hidden = [(128, 1)] + [(64, 2)] * (doublings - 1)
        return 7, 256, hidden
    extra = doublings - 2
    hidden = [(256, 1)] + [(256, 2)] * extra + [(128, 1), (128, 1), (64, 2)]
    return 8, 256, hidden


def build_generator(height: int = 28, width: int = 28, channels: int = 1, latent_dim: int = 100,
                    weight_init: str = "glorot", seed: int | None = None,
                    dtype: str | None = None, kernel_size: int = 5, num_classes: int = 0,
                    batch_norm: str = "plain", activation: str = "leaky_relu",
                    stride1_kernel: int = 0):
    """Builds the DCGAN generator: z (and a class) -> image in [-1, 1].

    MNIST (28x28x1): Dense 7*7*256 -> BN -> LReLU -> ConvT 128 s1 -> ConvT 64 s2 -> ConvT 1 s2 tanh.
    CIFAR-10 (32x32x3): Dense 8*8*256 -> ConvT 256 s1 -> 128 s1 -> 128 s1 -> 64 s2 -> 3 s2 tanh.
    Every hidden layer is followed by BatchNorm and LeakyReLU (the seed's) or ReLU; the seed's
    kernels are 5x5; no biases.

    Args:
        height: image height.
        width: image width.
        channels: 1 (gray) or 3 (RGB).
        latent_dim: size of z.
        weight_init: `glorot` (Keras default, as the tutorial) or `normal_0.02` (as the paper).
        seed: seed for the initialisers.
        dtype: a Keras dtype policy for the hidden layers (e.g. `mixed_bfloat16`); the output
            layer always computes in float32.
        kernel_size: side of the transposed convolutions' kernels (the seed's models: 5).
        stride1_kernel: side of the stride-1 transposed convolutions' kernels, those that
            keep the size (0: `kernel_size`).
        num_classes: 0 for an unconditional generator (one input, `z`); more makes it
            class-conditional: inputs `z` and `class` (int32 (N,)), and the class's
            `class_embedding` concatenated after z (`z_class`) feeds the projection. The
            numpy copy of the generator reads these layers by name.
        batch_norm: how its batch norms train (`ml/networks/batch_norm.py`): `plain` (Keras' layer),
            `fused` (one fused op, for the generator being trained) or `synchronized`
            (statistics of the global batch across replicas); the weights are Keras' own in
            every case.
        activation: the hidden layers' activation: `leaky_relu` (slope 0.3, the TensorFlow
            tutorial's; layers named `*_lrelu`) or `relu` (the DCGAN paper's; `*_relu`).

    Returns:
        A `keras.Model` named `generator`.
    """
    import keras
    from keras import layers

    from gan_studio.ml.networks.batch_norm import generator_batch_norm

    start, filters, hidden = generator_plan(height, width, channels)
    init = _initializer(weight_init, seed)

    def activated(x, name: str):
        if activation == "relu":
            return layers.ReLU(dtype=dtype, name=f"{name}_relu")(x)
        return layers.LeakyReLU(negative_slope=0.3, dtype=dtype, name=f"{name}_lrelu")(x)

    z = keras.Input(shape=(latent_dim,), name="z")
    inputs, x = z, z
    if num_classes > 0:
        label = keras.Input(shape=(), dtype="int32", name="class")
        # N(0, 1) like z: with Keras' default (uniform +-0.05) the class would start out
        # drowned by the noise and the projection would first learn to ignore it.
        embedding = layers.Embedding(
            num_classes, CLASS_EMBEDDING_SIZE, name="class_embedding", dtype=dtype,
            embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0, seed=seed))(label)
        inputs = [z, label]
        x = layers.Concatenate(dtype=dtype, name="z_class")([z, embedding])
    x = layers.Dense(start * start * filters, use_bias=False, kernel_initializer=init,
                     dtype=dtype, name="project")(x)
    x = generator_batch_norm(dtype, "project_bn", batch_norm)(x)
    x = activated(x, "project")
    x = layers.Reshape((start, start, filters), dtype=dtype, name="reshape")(x)
    for i, (n, stride) in enumerate(hidden):
        kernel = stride1_kernel if stride == 1 and stride1_kernel else kernel_size
        x = layers.Conv2DTranspose(n, kernel, strides=stride, padding="same", use_bias=False,
                                   kernel_initializer=init, dtype=dtype, name=f"deconv{i}")(x)
        x = generator_batch_norm(dtype, f"deconv{i}_bn", batch_norm)(x)
        x = activated(x, f"deconv{i}")
    out = layers.Conv2DTranspose(channels, kernel_size, strides=2, padding="same", use_bias=False,
                                 activation="tanh", kernel_initializer=init,
                                 dtype="float32" if dtype else None, name="to_image")(x)
    return keras.Model(inputs, out, name="generator")


def discriminator_filters(height: int) -> list[int]:
    """Returns the discriminator's convolution widths for an image side (all stride 2)."""
    if height == 28:
        return [64, 128]
    if height == 32:
        return [128, 256, 256, 128]
    extra = max(0, (height // 32).bit_length() - 1)
    return [64] * extra + [128, 256, 256, 128]


def build_discriminator(height: int = 28, width: int = 28, channels: int = 1,
                        weight_init: str = "glorot", seed: int | None = None,
                        dtype: str | None = None, spectral_norm: bool = False,
                        num_classes: int = 0, dropout: float = DCGAN_RECIPE["d_dropout"],
                        kernel_size: int = DCGAN_RECIPE["d_kernel_size"]):
    """Builds the DCGAN discriminator: image in [-1, 1] (and a class) -> real/fake logit.

    MNIST: Conv 64 s2 -> LReLU -> Dropout -> Conv 128 s2 -> LReLU -> Dropout -> Dense(1).
    CIFAR-10: Conv 128/256/256/128, all stride 2, each LReLU + Dropout -> Dense(1). The
    seed's kernels are 5x5 (`kernel_size`).
    The seed's dropout rate is 0.3; `studio` on grey images trains without.

    Args:
        height: image height.
        width: image width.
        channels: 1 or 3.
        weight_init: `glorot` or `normal_0.02`.
        seed: seed for the initialisers.
        dtype: a Keras dtype policy for the hidden layers; the logit layer computes in float32.
        spectral_norm: wrap every convolution and the logit layer in spectral normalisation
            (one power iteration per training call, Miyato et al. 2018), which bounds the
            discriminator's Lipschitz constant.
        num_classes: 0 for an unconditional discriminator (one input, `image`); more makes
            it a projection discriminator (Miyato & Koyama 2018) with inputs `image` and
            `class` (int32 (N,)): logit = Dense(1)(phi) + <embedding(class), phi>, where phi
            is the flattened features.
        dropout: the rate of the dropout after each convolution (the seed's models: 0.3);
            0 builds none.
        kernel_size: the side of the convolutions' kernels (the seed's models: 5).

    Returns:
        A `keras.Model` named `discriminator` returning logits of shape (N, 1).
    """
    import keras
    from keras import layers

    from gan_studio.ml.networks.dropout import discriminator_dropout

    init = _initializer(weight_init, seed)

    def normalised(layer):
        if not spectral_norm:
            return layer
        return layers.SpectralNormalization(layer, dtype=layer.dtype_policy,
                                            name=f"{layer.name}_sn")

    image = keras.Input(shape=(height, width, channels), name="image")
    x = image
    for i, n in enumerate(discriminator_filters(height)):
        x = normalised(layers.Conv2D(n, kernel_size, strides=2, padding="same",
                                     kernel_initializer=init, dtype=dtype, name=f"conv{i}"))(x)
        x = layers.LeakyReLU(negative_slope=0.3, dtype=dtype, name=f"conv{i}_lrelu")(x)
        if dropout:
            x = discriminator_dropout(dropout, None if seed is None else seed + i, dtype,
                                      f"conv{i}_dropout")(x)
    x = layers.Flatten(dtype=dtype, name="flatten")(x)
    logit = normalised(layers.Dense(1, kernel_initializer=init,
                                    dtype="float32" if dtype else None, name="logit"))(x)
    if num_classes <= 0:
        return keras.Model(image, logit, name="discriminator")
    label = keras.Input(shape=(), dtype="int32", name="class")
    # The projection is left without spectral normalisation, as in Miyato & Koyama's code:
    # the features it multiplies are already bounded by the normalised convolutions. It
    # computes in float32, as the logit does, under a mixed-precision policy.
    out_dtype = "float32" if dtype else None
    projection = layers.Embedding(num_classes, x.shape[-1], embeddings_initializer=init,
                                  dtype=out_dtype, name="class_projection")(label)
    match = layers.Dot(axes=-1, dtype=out_dtype, name="class_match")([x, projection])
    logit = layers.Add(dtype=out_dtype, name="projected_logit")([logit, match])
    return keras.Model([image, label], logit, name="discriminator")


def generator_for(config, shape: tuple[int, int, int], dtype: str | None = None,
                  batch_norm: str = "plain"):
    """Builds the generator a resolved `TrainConfig` describes, for images of `shape`.

    The one place that maps a config to the generator's architecture: training, restoring a
    run and exporting it all build through it (`batch_norm`: see `build_generator`).
    """
    h, w, c = shape
    return build_generator(h, w, c, config.latent_dim, config.weight_init, config.seed,
                           dtype=dtype, kernel_size=config.kernel_size or 5,
                           num_classes=config.condition_classes,
                           batch_norm=batch_norm,
                           activation=config.g_activation or DCGAN_RECIPE["g_activation"],
                           stride1_kernel=config.g_stride1_kernel or 0)


def discriminator_for(config, shape: tuple[int, int, int], dtype: str | None = None):
    """Builds the discriminator a resolved `TrainConfig` describes, for images of `shape`."""
    h, w, c = shape
    return build_discriminator(h, w, c, config.weight_init, config.seed + 1, dtype=dtype,
                               spectral_norm=bool(config.spectral_norm),
                               num_classes=config.condition_classes,
                               dropout=config.d_dropout,
                               kernel_size=config.d_kernel_size or DCGAN_RECIPE["d_kernel_size"])
