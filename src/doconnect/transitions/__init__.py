"""Transition monitoring: the command line over the sequence engine
(``doconnect.transitions.engine``). See README.md."""
