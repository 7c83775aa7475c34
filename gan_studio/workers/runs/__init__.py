"""Run folders off the GUI thread: the runs library's reader, the comparison's, the sweep queue."""
