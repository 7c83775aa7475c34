"""The DCGAN's state (models, optimizers, counters, RNG) and its compiled train/sample steps."""

from __future__ import annotations

import numpy as np

from gan_studio.core.config import TrainConfig
from gan_studio.core.latent.space import sample_grid_labels, sample_grid_latents, sample_grid_shape
from gan_studio.ml.networks.augment import augment
from gan_studio.ml.networks.losses import adversarial_losses
from gan_studio.ml.networks.models import discriminator_for, generator_for
from gan_studio.ml.runtime.custom_gradients import call_releasing
from gan_studio.ml.runtime.device import import_tensorflow


def mode_seeking_penalty(fake, noise, eps: float = 1e-5):
    """Mode seeking (Mao et al. 2019): the inverse of how far apart the images of one class
    are for latents that far apart.

    Rows `i` and `i + B // 2` of the batch are drawn for the same class from different
    latents. The penalty, `1 / (mean |G(z1) - G(z2)| / mean |z1 - z2| + eps)`, grows as the
    generator maps distinct latents of a class onto the same image: the within-class collapse
    that the discriminator, seeing a few images of each class per batch, lets pass.
    """
    tf = import_tensorflow()
    half = fake.shape[0] // 2
    images = tf.cast(fake, tf.float32)
    apart = tf.reduce_mean(tf.abs(images[:half] - images[half:2 * half]))
    latents = tf.reduce_mean(tf.abs(noise[:half] - noise[half:2 * half]))
    return 1.0 / (apart / latents + eps)


class GAN:
    """Generator, discriminator, their Adam optimizers and everything a checkpoint must hold.

    A conditional run (`config.conditional`, with `num_classes` set from the data) trains on
    (images, labels) batches and its grid draws one row per class (`sample_grid_shape`); with
    `config.mode_seeking` its generator's loss also has the mode-seeking term
    (`mode_seeking_penalty`), which keeps the noise varying the images of each class.

    Args:
        config: a resolved `TrainConfig`.
        shape: (height, width, channels) of the training images.
        augment: whether the discriminator sees augmented images (`config.augment` decides,
            with the data set's size for `auto`: see `augmentation_enabled`).
        strategy: the `tf.distribute.Strategy` to train under (None: the default strategy,
            one device). With several replicas, `train` takes the distributed batches of
            `ml.training.pipeline.distributed_epoch_dataset`.
    """

    def __init__(self, config: TrainConfig, shape: tuple[int, int, int], augment: bool = False,
                 strategy=None):
        tf = import_tensorflow()

        self.config = config
        self.shape = tuple(int(s) for s in shape)
        self.augment_policy = config.augment_policy if augment else ""
        self.strategy = strategy or tf.distribute.get_strategy()
        # Everything a step updates is made under the strategy's scope: mirrored on each
        # replica, and broadcast from the chief at creation in a multi-worker run.
        with self.strategy.scope():
            self._build(config)

    def _build(self, config: TrainConfig) -> None:
        tf = import_tensorflow()
        import keras

        from gan_studio.ml.runtime.device import choose_precision

        keras.utils.set_random_seed(config.seed)
        self.precision = choose_precision(config.precision)
        dtype = None if self.precision == "float32" else self.precision
        # Trained with fused batch norms, which train faster (RESULTS.md section 1); its weight
        # average is a plain copy, since that is what the explorer and exports read.
        batch_norm = "fused"
        if self.strategy.num_replicas_in_sync > 1 and config.sync_batch_norm:
            batch_norm = "synchronized"
        self.generator = generator_for(config, self.shape, dtype=dtype, batch_norm=batch_norm)
        self.ema_decay = float(config.generator_ema or 0.0)
        self.generator_ema = None
        if self.ema_decay > 0:
            self.generator_ema = generator_for(config, self.shape, dtype=dtype)
            self.generator_ema.set_weights(self.generator.get_weights())
        self.discriminator = discriminator_for(config, self.shape, dtype=dtype)
        self.g_optimizer = keras.optimizers.Adam(config.learning_rate, beta_1=config.beta1)
        self.d_optimizer = keras.optimizers.Adam(config.d_learning_rate or config.learning_rate,
                                                 beta_1=config.beta1)
        # Built eagerly so that a checkpoint restore finds every slot variable to fill.
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        self.rng = tf.random.Generator.from_seed(config.seed)
        self.num_classes = config.condition_classes
        # Unset (a run from before the lever, or a TrainConfig without the field): off.
        self.mode_seeking = float(config.mode_seeking or 0.0)
        rows, self.grid_columns = sample_grid_shape(config.grid_size, self.num_classes)
        self.sample_noise = tf.Variable(
            sample_grid_latents(config.seed, rows * self.grid_columns, config.latent_dim),
            trainable=False, name="sample_noise")
        self.sample_labels = None
        self.checkpoint = tf.train.Checkpoint(
            generator=self.generator, discriminator=self.discriminator,
            g_optimizer=self.g_optimizer, d_optimizer=self.d_optimizer,
            step=self.step, epoch=self.epoch, rng=self.rng, sample_noise=self.sample_noise,
            # Keras keeps dropout's random state in SeedGenerators, which checkpoints do not
            # track on their own; without them a resumed run would not continue exactly.
            seed_states=[v for v in self.discriminator.non_trainable_variables
                         if "seed_generator" in v.path])
        if self.generator_ema is not None:
            self.checkpoint.generator_ema = self.generator_ema
        signature = [tf.TensorSpec([None, config.latent_dim], tf.float32)]
        if self.num_classes:
            # Only conditional checkpoints hold it: unconditional ones keep their old layout.
            self.sample_labels = tf.Variable(sample_grid_labels(config.grid_size,
                                                                self.num_classes),
                                             trainable=False, name="sample_labels")
            self.checkpoint.sample_labels = self.sample_labels
            signature.append(tf.TensorSpec([None], tf.int32))
        # autograph=False: the graphs are plain Python at trace time, so a frozen app that ships
        # only bytecode needs no source to convert. No input signature: each distinct number of
        # steps per call (the configured one, and an epoch's remainder) is traced once.
        self.train_steps = tf.function(self._train_steps, autograph=False)
        self.regularize = tf.function(self._r1_steps, autograph=False)
        self.generate = tf.function(self._generate, autograph=False, input_signature=signature)
        signature[0] = tf.TensorSpec([None, *self.shape], tf.uint8)
        self.score = tf.function(self._score, autograph=False, input_signature=signature)

    @staticmethod
    def _with_labels(inputs, labels):
        """A model's inputs: the tensor alone, or with the class labels of a conditional run."""
        return inputs if labels is None else [inputs, labels]

    def _one_step(self, images, labels, index: int, noise):
        """Step `index` of a call on this replica's batches: returns its four metrics, each
        this replica's share of the global batch's value (their sum over replicas is it)."""
        tf = import_tensorflow()
        real_uint8 = images[index]
        labels = None if labels is None else labels[index]
        batch = real_uint8.shape[0]  # static at trace time: every shape in the step is known
        context = tf.distribute.get_replica_context()
        share = 1.0 / context.num_replicas_in_sync
        if context.num_replicas_in_sync > 1:  # this replica's rows of the global batch's noise
            first = tf.cast(context.replica_id_in_sync_group, tf.int32) * batch
            noise = noise[first:first + batch]
        real = tf.cast(real_uint8, tf.float32) / 127.5 - 1.0
        # Fakes are drawn for the real batch's labels: classes come as often as in the data.
        # With mode seeking, the second half repeats the first half's: pairs of one class.
        fake_labels = labels
        seeking = self.mode_seeking if labels is not None and batch >= 2 else 0.0
        if seeking:
            fake_labels = tf.concat([labels[:batch // 2], labels[:batch - batch // 2]], axis=0)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator(self._with_labels(noise, fake_labels), training=True)
            real_logits, fake_logits = self._judge(tf.cast(real, fake.dtype), fake, labels,
                                                   fake_labels)
            g_loss, d_loss = adversarial_losses(self.config.loss, real_logits, fake_logits,
                                                batch * context.num_replicas_in_sync)
            if seeking:
                g_loss += seeking * share * mode_seeking_penalty(fake, noise)
        g_vars = self.generator.trainable_variables
        d_vars = self.discriminator.trainable_variables
        # The optimizers sum the replicas' gradients before they apply them.
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
        return tf.stack([g_loss, d_loss, tf.reduce_mean(tf.sigmoid(real_logits)) * share,
                         tf.reduce_mean(tf.sigmoid(fake_logits)) * share])

    def _judge(self, real, fake, labels, fake_labels=None):
        """D's float32 logits on the real and the fake batch (losses stay float32 also under a
        mixed-precision policy).

        D has no batch statistics (no BatchNorm), so one call on both batches is the same
        function as two. Two calls are cheaper to differentiate: G's gradient then crosses D
        for the fakes alone, where through one call it crossed D for the real half too, all
        zeros (faster on MNIST and CIFAR-10: RESULTS.md section 1). Spectral norm keeps
        the one call: its layers take one power-iteration step per call, once a step.
        """
        tf = import_tensorflow()

        def logits(images, image_labels):
            seen = self._augmented(images)
            return tf.cast(self.discriminator(self._with_labels(seen, image_labels),
                                              training=True), tf.float32)

        fake_labels = labels if fake_labels is None else fake_labels
        if not self.config.spectral_norm:
            return logits(real, labels), logits(fake, fake_labels)
        both_labels = None if labels is None else tf.concat([labels, fake_labels], axis=0)
        both = logits(tf.concat([real, fake], axis=0), both_labels)
        return both[:real.shape[0]], both[real.shape[0]:]

    def _augmented(self, images):
        """The images as the discriminator sees them: augmented when the run augments."""
        if not self.augment_policy:
            return images
        return augment(images, self.augment_policy, self.rng)

    def _r1_steps(self, batches):
        """The lazy R1 step on the last batch of a call, on every replica; returns the penalty."""
        images, labels = self._split(batches)
        return self.strategy.reduce("SUM", self.strategy.run(self._r1_step, args=(images, labels)),
                                    axis=None)

    def _r1_step(self, images, labels=None):
        """One lazy R1 step: the discriminator descends `gamma / 2 * |grad D(real)|^2`.

        Lazy regularisation (Karras et al. 2020): the penalty is applied every `r1_every`
        steps in its own step, scaled by `r1_every`, which costs a fraction of applying it
        at every step (a second-order gradient) for the same effect. Returns this replica's
        share of the global batch's mean penalty.
        """
        tf = import_tensorflow()
        real = tf.cast(images[-1], tf.float32) / 127.5 - 1.0
        labels = None if labels is None else labels[-1]
        replicas = tf.distribute.get_replica_context().num_replicas_in_sync
        d_vars = self.discriminator.trainable_variables
        with tf.GradientTape() as d_tape:
            with tf.GradientTape() as x_tape:
                x_tape.watch(real)
                seen = self._augmented(real)
                logits = tf.cast(self.discriminator(self._with_labels(seen, labels),
                                                    training=True), tf.float32)
                total = tf.reduce_sum(logits)
            grads = x_tape.gradient(total, real)
            penalty = tf.nn.compute_average_loss(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]),
                                                 global_batch_size=real.shape[0] * replicas)
            loss = penalty * (0.5 * self.config.r1_gamma * self.config.r1_every)
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(loss, d_vars), d_vars))
        return penalty

    def _update_average(self):
        """Moves the averaged generator towards the trained one (weights and BN statistics).

        The decay ramps up as `(1 + step) / (10 + step)` (as `tf.train.ExponentialMovingAverage`
        does with `num_updates`), so early samples are not dominated by the random start.
        """
        tf = import_tensorflow()
        step = tf.cast(self.step, tf.float32)
        decay = tf.minimum(self.ema_decay, (1.0 + step) / (10.0 + step))
        for average, weight in zip(self.generator_ema.weights, self.generator.weights):
            average.assign(decay * average + (1.0 - decay) * tf.cast(weight, average.dtype))

    @property
    def sampler(self):
        """The generator that draws samples: the weight average when there is one."""
        return self.generator_ema if self.generator_ema is not None else self.generator

    def train(self, batches, step: int) -> np.ndarray:
        """Trains on `batches` (as `_train_steps` takes them) from global step `step`.

        Returns the (k, 4) metrics of the k steps.

        Runs the lazy R1 step after the compiled steps whenever they crossed a multiple of
        `r1_every` (once per call at most: `steps_per_call` above `r1_every` thins it out).
        """
        # (Released once traced, their graphs go with the GAN: see `ml.runtime.custom_gradients`.)
        metrics = call_releasing(self.train_steps, batches).numpy()
        every = self.config.r1_every
        if self.config.r1_gamma and (step + len(metrics)) // every > step // every:
            call_releasing(self.regularize, batches)
        return metrics

    @staticmethod
    def _split(batches):
        """`(images, labels)` of what the pipeline gives: images alone, or images and labels."""
        return batches if isinstance(batches, tuple) else (batches, None)

    def _train_steps(self, batches):
        """Runs one step per leading entry of `batches`; returns (k, 4) metrics per step.

        `batches` is uint8 images (k, B, H, W, C), or for a conditional run a tuple of them
        and their int32 labels (k, B); under a strategy with several replicas, the
        distributed values of each replica's share (k, B / replicas, ...).

        The steps are unrolled at trace time rather than run in a `tf.while_loop`: Grappler
        then sees one straight-line graph and fuses convolutions with their bias and
        activation, which a loop body does not get (a loop made steps slower on a CPU:
        RESULTS.md section 1).
        """
        tf = import_tensorflow()
        images, labels = self._split(batches)
        local = self.strategy.experimental_local_results(images)[0]
        steps, batch = local.shape[0], local.shape[1] * self.strategy.num_replicas_in_sync
        rows = []
        for index in range(steps):
            # The noise of the global batch, drawn once (each replica takes its rows), and the
            # counters and the weight average updated once per step, outside the replicas.
            noise = self.rng.normal([batch, self.config.latent_dim])
            shares = self.strategy.run(self._one_step, args=(images, labels, index, noise))
            rows.append(self.strategy.reduce("SUM", shares, axis=None))
            self.step.assign_add(1)
            if self.generator_ema is not None:
                self._update_average()
        return tf.stack(rows)

    def _generate(self, noise, labels=None):
        return self.sampler(self._with_labels(noise, labels), training=False)

    def _score(self, images_uint8, labels=None):
        from gan_studio.ml.generators.verdict import real_probability

        return real_probability(self.discriminator, images_uint8, labels)

    def tile_scores(self, tiles: np.ndarray) -> np.ndarray:
        """D's probability that each grid tile is real, float32 (N,): `ml.generators.verdict.Verdict`'s
        figure for the same pixels (uint8 tiles, no augmentation, dropout off)."""
        args = (tiles,) if self.sample_labels is None else (tiles, self.sample_labels)
        return self.score(*args).numpy()

    def sample_grid_tiles(self) -> np.ndarray:
        """Renders the fixed sample noise (and labels); returns uint8 tiles (N, h, w, c)."""
        from gan_studio.core.grid import to_uint8

        if self.sample_labels is None:
            return to_uint8(self.generate(self.sample_noise).numpy())
        return to_uint8(self.generate(self.sample_noise, self.sample_labels).numpy())
