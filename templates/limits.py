"""Time limits the templates and the worker must agree on.

The worker drains in-flight files for at most SHUTDOWN_BUDGET_SECONDS after SIGTERM
(`worker/config.py`, passed to the task explicitly); ECS waits STOP_TIMEOUT_SECONDS before
SIGKILL, which must be longer; a spot interruption notice gives 120 s in all.
"""

SHUTDOWN_BUDGET_SECONDS = 90
STOP_TIMEOUT_SECONDS = 120
SPOT_NOTICE_SECONDS = 120
