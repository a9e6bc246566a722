"""Benchmarks of the simulation engine, its models and its random numbers.

Run them all with ``python -m benchmarks`` (or ``python benchmarks/run.py``); ``--quick``
runs a smoke version in under a minute and ``--write`` puts the tables into
``benchmarks/README.md``. Benchmarks only report: nothing here asserts a timing.
"""
