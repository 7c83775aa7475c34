"""The runs library, runs compared side by side, and sweeps."""
