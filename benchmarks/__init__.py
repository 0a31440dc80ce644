"""Benchmarks of the Monogoto integration against the simulator (never the real console)."""
