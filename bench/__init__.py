"""Benchmarks at city and province scale (docs/performance.md); not part of `make test`."""
