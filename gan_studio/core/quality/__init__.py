"""How good a generator is, in numpy: the statistics (`statistics`), one evaluation's numbers
(`report`, and quality.csv) and the collapse detector (`collapse`)."""
