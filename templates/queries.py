"""The runbook's Logs Insights queries, saved in the stack (`AWS::Logs::QueryDefinition`).

An operator at 3 a.m. opens CloudWatch Logs Insights and finds them under the stack's
folder, already pointed at the worker's log group: no query to retype from docs/runbook.md,
which names the same queries. Field names are those the worker's JSON lines carry
(worker/observability.py: level, message, key; error_class, code and reason of a failure).
"""

from __future__ import annotations

from troposphere import Ref, Sub, Template, logs

FOLDER = "${AWS::StackName}"

QUERIES: dict[str, tuple[str, str]] = {
    "FailuresByClassQuery": ("failures-by-class", """\
fields @timestamp, error_class, code, reason, key
| filter level = "ERROR" or ispresent(error_class)
| stats count() as failures by error_class, code
| sort failures desc"""),
    "FileHistoryQuery": ("file-history (edit the key)", """\
fields @timestamp, level, message, key, error_class, code, reason, receive_count
| filter key like /請求書/
| sort @timestamp desc
| limit 200"""),
    "RecentErrorsQuery": ("recent-errors", """\
fields @timestamp, message, key, error_class, code, reason, @logStream
| filter level in ["ERROR", "CRITICAL"]
| sort @timestamp desc
| limit 100"""),
    "WorkerLifecycleQuery": ("worker-starts-stops-and-releases", """\
fields @timestamp, message, exit_code, @logStream
| filter message in ["worker started", "worker stopped", "messages released"]
  or message like /shutdown budget|second signal/
| sort @timestamp desc
| limit 100"""),
}


def add_queries(t: Template, log_group: logs.LogGroup) -> list[logs.QueryDefinition]:
    return [t.add_resource(logs.QueryDefinition(
        title, Name=Sub(f"{FOLDER}/{name}"), QueryString=query,
        LogGroupNames=[Ref(log_group)])) for title, (name, query) in QUERIES.items()]
