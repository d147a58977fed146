"""The queue worker: the poll loop (runtime.py), receiving (intake.py), jobs in the process pool
(jobs.py), settling finished jobs (settling.py, by outcomes.py's verdicts), visibility
heartbeats (inflight.py) and acknowledgements (acks.py).
"""
