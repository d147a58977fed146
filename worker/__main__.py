"""`python -m worker` is the same as the `cis-worker` console script."""

from worker.cli import main

main()
