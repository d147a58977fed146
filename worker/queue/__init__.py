"""The queue worker: the poll loop (runtime.py), jobs in the process pool, visibility heartbeats
(inflight.py) and acknowledgements (acks.py).
"""
