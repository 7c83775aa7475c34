"""A faithful re-implementation of the TensorFlow DCGAN tutorial's training loop (the baseline).

The tutorial (tensorflow.org/tutorials/generative/dcgan): Sequential generator and
discriminator, BinaryCrossentropy(from_logits=True), two Adam(1e-4) optimizers, a
`@tf.function` train step that calls the discriminator twice, and
`from_tensor_slices(images).shuffle(60000).batch(256)` over float32 images in [-1, 1].
"""

from __future__ import annotations

import numpy as np


def make_generator_model(tf):
    layers = tf.keras.layers
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=(100,)))
    model.add(layers.Dense(7 * 7 * 256, use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())
    model.add(layers.Reshape((7, 7, 256)))
    model.add(layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding="same", use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())
    model.add(layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())
    model.add(layers.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding="same", use_bias=False,
                                     activation="tanh"))
    return model


def make_discriminator_model(tf):
    layers = tf.keras.layers
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=(28, 28, 1)))
    model.add(layers.Conv2D(64, (5, 5), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))
    model.add(layers.Conv2D(128, (5, 5), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))
    model.add(layers.Flatten())
    model.add(layers.Dense(1))
    return model


class TutorialLoop:
    """The tutorial's models, losses, optimizers, train step and input pipeline.

    Args:
        images: uint8 MNIST training images (N, 28, 28) or (N, 28, 28, 1).
        batch_size: the tutorial's BATCH_SIZE (256).
    """

    def __init__(self, images: np.ndarray, batch_size: int = 256, learning_rate: float = 1e-4,
                 beta1: float = 0.9):
        from gan_studio.ml.device import import_tensorflow

        tf = self.tf = import_tensorflow()
        self.batch_size = batch_size
        train_images = images.reshape(images.shape[0], 28, 28, 1).astype("float32")
        train_images = (train_images - 127.5) / 127.5
        self.dataset = (tf.data.Dataset.from_tensor_slices(train_images)
                        .shuffle(60000).batch(batch_size))
        self.generator = make_generator_model(tf)
        self.discriminator = make_discriminator_model(tf)
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
