"""The adversarial losses a run can train with, on float32 logits."""

from __future__ import annotations

from gan_studio.ml.device import import_tensorflow


def adversarial_losses(kind: str, real_logits, fake_logits):
    """Returns `(generator_loss, discriminator_loss)` for one batch.

    Args:
        kind: `bce`, the DCGAN paper's: the discriminator minimises the binary cross-entropy
            of real-vs-fake, the generator the non-saturating `-log D(G(z))` (Goodfellow et
            al. 2014); or `hinge` (Lim & Ye 2017, Miyato et al. 2018):
            `D: mean(relu(1 - real)) + mean(relu(1 + fake))`, `G: -mean(fake)`. The hinge's
            margin stops the discriminator from pushing logits it already classifies well
            ever further, which keeps its gradients on the samples that matter.
        real_logits: the discriminator's logits on real images.
        fake_logits: its logits on generated images.
    """
    tf = import_tensorflow()
    if kind == "hinge":
        d_loss = (tf.reduce_mean(tf.nn.relu(1.0 - real_logits))
                  + tf.reduce_mean(tf.nn.relu(1.0 + fake_logits)))
        return -tf.reduce_mean(fake_logits), d_loss
    if kind != "bce":
        raise ValueError(f"unknown loss {kind!r}; use 'bce' or 'hinge'")
    bce = tf.nn.sigmoid_cross_entropy_with_logits
    d_loss = (tf.reduce_mean(bce(tf.ones_like(real_logits), real_logits))
              + tf.reduce_mean(bce(tf.zeros_like(fake_logits), fake_logits)))
    return tf.reduce_mean(bce(tf.ones_like(fake_logits), fake_logits)), d_loss
