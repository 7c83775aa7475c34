"""The adversarial losses a run can train with, on float32 logits."""

from __future__ import annotations

from gan_studio.ml.runtime.device import import_tensorflow


def adversarial_losses(kind: str, real_logits, fake_logits, global_batch: int | None = None):
    """Returns `(generator_loss, discriminator_loss)` for one batch.

    Each loss is a per-image loss averaged with `tf.nn.compute_average_loss` over the global
    batch: under a strategy with several replicas a replica's loss is its share, and the
    gradients that the optimizer sums over replicas are those of the global batch's mean.

    Args:
        kind: `bce`, the DCGAN paper's: the discriminator minimises the binary cross-entropy
            of real-vs-fake, the generator the non-saturating `-log D(G(z))` (Goodfellow et
            al. 2014); or `hinge` (Lim & Ye 2017, Miyato et al. 2018):
            `D: mean(relu(1 - real)) + mean(relu(1 + fake))`, `G: -mean(fake)`. The hinge's
            margin stops the discriminator from pushing logits it already classifies well
            ever further, which keeps its gradients on the samples that matter.
        real_logits: the discriminator's logits on real images, (batch, 1).
        fake_logits: its logits on generated images, as many.
        global_batch: images in the batch across all replicas (None: this batch's).
    """
    tf = import_tensorflow()
    real_logits, fake_logits = real_logits[:, 0], fake_logits[:, 0]
    if kind == "hinge":
        d_each = tf.nn.relu(1.0 - real_logits) + tf.nn.relu(1.0 + fake_logits)
        g_each = -fake_logits
    elif kind == "bce":
        bce = tf.nn.sigmoid_cross_entropy_with_logits
        d_each = (bce(tf.ones_like(real_logits), real_logits)
                  + bce(tf.zeros_like(fake_logits), fake_logits))
        g_each = bce(tf.ones_like(fake_logits), fake_logits)
    else:
        raise ValueError(f"unknown loss {kind!r}; use 'bce' or 'hinge'")
    batch = global_batch or real_logits.shape[0]
    return (tf.nn.compute_average_loss(g_each, global_batch_size=batch),
            tf.nn.compute_average_loss(d_each, global_batch_size=batch))
