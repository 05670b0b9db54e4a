"""Transition monitoring: the command line over the sequence engine
(``doconnect.sequences``). See README.md."""
