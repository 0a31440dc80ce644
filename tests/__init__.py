"""Tests of the Monogoto integration, its client and its simulator."""
