"""A run's checkpoints: saving, finding and restoring them, and repairing what killed saves leave."""
