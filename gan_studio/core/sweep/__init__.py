"""Sweeps: one or two levers varied over runs trained one after another, ranked at equal budget."""
