"""Benchmarks: ratios against baselines measured in the same run (never timed tests).

`python -m bench [NAME...]` imports every module `bench/bench_*.py` (or only those whose
name contains one of the NAMEs), calls its `run()`, which returns a list of `bench.table.Row`,
and prints one table. A module measures its own baseline in the same process, so the ratio
means something on a busy machine where absolute figures do not.
"""
