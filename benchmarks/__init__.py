"""Minipack's benchmarks: speed figures printed beside a named peer, as ratios.

Run with `make bench`. They are never part of `make test`: the machines are
shared and noisy, so timings are reported, not asserted.
"""
