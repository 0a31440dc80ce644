"""Tests of the Home Assistant-free Monogoto client, over real HTTP against the simulator."""
