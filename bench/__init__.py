"""Benchmarks (`make bench`): each module prints its numbers next to a reference measured in
the same run. They never fail a test run for being slow."""
