"""The two networks and what shapes their training: the generator and discriminator built
from a config (`models`), their layers (`batch_norm`, `dropout`), a class-conditional
generator's class input (`conditional`), the losses (`losses`) and DiffAugment (`augment`)."""
