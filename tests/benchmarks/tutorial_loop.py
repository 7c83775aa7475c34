"""A faithful re-implementation of the TensorFlow DCGAN tutorial's training loop (the baseline).

The tutorial (tensorflow.org/tutorials/generative/dcgan): Sequential generator and
discriminator, BinaryCrossentropy(from_logits=True), two Adam(1e-4) optimizers, a
`@tf.function` train step that calls the discriminator twice, and
`from_tensor_slices(images).shuffle(60000).batch(256)` (the whole set) over float32 images in [-1, 1].
"""

from __future__ import annotations

import numpy as np


def make_generator_model(tf, shape=(28, 28, 1)):
    """The tutorial's generator for MNIST; for 32x32x3 the seed's CIFAR-10 one, in the same
    style (Dense 8x8x256, then 5x5 transposed convolutions 256, 128, 128 at stride 1 and 64, 3
    at stride 2, BatchNorm and LeakyReLU between them)."""
    layers = tf.keras.layers
    side = 7 if shape[0] == 28 else 8
    hidden = [(128, 1), (64, 2)] if shape[0] == 28 else [(256, 1), (128, 1), (128, 1), (64, 2)]
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=(100,)))
    model.add(layers.Dense(side * side * 256, use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())
    model.add(layers.Reshape((side, side, 256)))
    for filters, stride in hidden:
        model.add(layers.Conv2DTranspose(filters, (5, 5), strides=(stride, stride),
                                         padding="same", use_bias=False))
        model.add(layers.BatchNormalization())
        model.add(layers.LeakyReLU())
    model.add(layers.Conv2DTranspose(shape[2], (5, 5), strides=(2, 2), padding="same",
                                     use_bias=False, activation="tanh"))
    return model


def make_discriminator_model(tf, shape=(28, 28, 1)):
    """The tutorial's discriminator for MNIST (Conv 64, 128); for 32x32x3 the seed's CIFAR-10
    one (Conv 128, 256, 256, 128), every convolution 5x5 at stride 2 with LeakyReLU and
    Keras' Dropout(0.3)."""
    layers = tf.keras.layers
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=shape))
    for filters in ([64, 128] if shape[0] == 28 else [128, 256, 256, 128]):
        model.add(layers.Conv2D(filters, (5, 5), strides=(2, 2), padding="same"))
        model.add(layers.LeakyReLU())
        model.add(layers.Dropout(0.3))
    model.add(layers.Flatten())
    model.add(layers.Dense(1))
    return model


class TutorialLoop:
    """The tutorial's models, losses, optimizers, train step and input pipeline.

    Args:
        images: uint8 training images: MNIST (N, 28, 28) or (N, 28, 28, 1), or CIFAR-10
            (N, 32, 32, 3), which trains the seed's CIFAR-10 models in the same loop.
        batch_size: the tutorial's BATCH_SIZE (256).
    """

    def __init__(self, images: np.ndarray, batch_size: int = 256, learning_rate: float = 1e-4,
                 beta1: float = 0.9):
        from gan_studio.ml.runtime.device import import_tensorflow

        tf = self.tf = import_tensorflow()
        self.batch_size = batch_size
        shape = (28, 28, 1) if images.shape[1] == 28 else tuple(images.shape[1:])
        train_images = images.reshape(images.shape[0], *shape).astype("float32")
        train_images = (train_images - 127.5) / 127.5
        self.dataset = (tf.data.Dataset.from_tensor_slices(train_images)
                        .shuffle(len(train_images)).batch(batch_size))
        self.generator = make_generator_model(tf, shape)
        self.discriminator = make_discriminator_model(tf, shape)
        self.cross_entropy = tf.keras.losses.BinaryCrossentropy(from_logits=True)
        self.generator_optimizer = tf.keras.optimizers.Adam(learning_rate, beta_1=beta1)
        self.discriminator_optimizer = tf.keras.optimizers.Adam(learning_rate, beta_1=beta1)
        self.train_step = tf.function(self._train_step)
        self.iterator = iter(self.dataset.repeat())

    def _train_step(self, images):
        tf = self.tf
        noise = tf.random.normal([self.batch_size, 100])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = self.generator(noise, training=True)
            real_output = self.discriminator(images, training=True)
            fake_output = self.discriminator(generated_images, training=True)
            gen_loss = self.cross_entropy(tf.ones_like(fake_output), fake_output)
            disc_loss = (self.cross_entropy(tf.ones_like(real_output), real_output)
                         + self.cross_entropy(tf.zeros_like(fake_output), fake_output))
        gen_grads = gen_tape.gradient(gen_loss, self.generator.trainable_variables)
        disc_grads = disc_tape.gradient(disc_loss, self.discriminator.trainable_variables)
        self.generator_optimizer.apply_gradients(zip(gen_grads, self.generator.trainable_variables))
        self.discriminator_optimizer.apply_gradients(
            zip(disc_grads, self.discriminator.trainable_variables))
        return gen_loss, disc_loss

    def run_steps(self, steps: int) -> None:
        """Runs `steps` train steps (the tutorial iterates its dataset the same way)."""
        for _ in range(steps):
            batch = next(self.iterator)
            if batch.shape[0] != self.batch_size:  # the tutorial's short last batch
                batch = next(self.iterator)
            gen_loss, _ = self.train_step(batch)
        float(gen_loss)  # wait for the last step
