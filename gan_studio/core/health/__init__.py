"""The training doctor: what a run's curves, measurements and samples show (`doctor`), each
finding with its evidence and one remedy (`findings`, `remedies`); the loss curves' checks
(`curves`) and the samples' spectrum (`checkerboard`)."""
