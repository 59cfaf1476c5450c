"""Benchmarks (not tests): run ``bench/attach``."""
