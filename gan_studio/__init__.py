"""GAN Studio: train DCGANs, watch them learn, explore what they learned."""

__version__ = "0.1.0"
APP_NAME = "GAN Studio"
