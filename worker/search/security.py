"""The worker's place in the domain's fine-grained access control, set by `index-setup`.

On an Amazon OpenSearch Service domain with fine-grained access control the worker's IAM
role reaches the domain (SigV4) but may do only what an OpenSearch role mapped to it allows.
`index-setup` runs as the operator — the domain's master user, never the worker — and, when
SEARCH_WORKER_ROLE_ARN is set (the operator task definition sets it, templates/service.py):

- writes the role `<alias>-writer`: bulk on the cluster; read and write of documents on the
  alias and its versioned indices only (no index creation, deletion, mapping or settings);
- maps the worker's role ARN to it as a backend role;
- switches the security plugin's audit log on (failed logins, privilege errors, security
  changes), which the domain publishes to CloudWatch (AUDIT_LOGS, templates/search.py).

The bodies are pure functions (tested without a cluster); `grant_worker` sends them through
the security plugin's REST API. A cluster without the security plugin (the local test node)
answers 400/404 there: that is a ConfigurationError naming the cause, not a crash.
"""

from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import TransportError

from worker.errors import ConfigurationError, ServiceUnavailableError

API = "/_plugins/_security/api"
# bulk is checked once on the cluster, then per index as bulk[s] (part of "crud")
CLUSTER_PERMISSIONS = ("indices:data/write/bulk", "indices:data/write/bulk*")
INDEX_ACTIONS = ("crud",)
AUDIT_CATEGORIES = ("FAILED_LOGIN", "MISSING_PRIVILEGES", "SECURITY_INDEX_ATTEMPT",
                    "AUTHENTICATED_IN_REST_LAYER_NOT_USED")


def writer_role_name(alias: str) -> str:
    return f"{alias}-writer"


def writer_role(alias: str) -> dict[str, Any]:
    """The OpenSearch role the worker is mapped to: documents of the alias, nothing else."""
    return {
        "description": f"cis-worker: writes documents to {alias} (index-setup)",
        "cluster_permissions": list(CLUSTER_PERMISSIONS),
        "index_permissions": [{"index_patterns": [alias, f"{alias}-v*"],
                               "allowed_actions": list(INDEX_ACTIONS)}],
    }


def role_mapping(worker_role_arn: str) -> dict[str, Any]:
    return {"backend_roles": [worker_role_arn], "users": [], "hosts": []}


def audit_config() -> dict[str, Any]:
    """Audit log on: what was refused or tried against the security index; no document
    bodies (they are the company's files)."""
    return {"enabled": True,
            "audit": {"enable_rest": True, "enable_transport": False,
                      "disabled_rest_categories": [], "disabled_transport_categories": [],
                      "log_request_body": False, "resolve_indices": True,
                      "ignore_users": [], "ignore_requests": []},
            "compliance": {"enabled": True, "write_log_diffs": False,
                           "read_watched_fields": {}, "read_ignore_users": [],
                           "write_watched_indices": [], "write_ignore_users": [],
                           "read_metadata_only": True, "write_metadata_only": True,
                           "external_config": False, "internal_config": True}}


def grant_worker(client: OpenSearch, alias: str, worker_role_arn: str) -> None:
    """Create or update the writer role, map the worker's role to it, enable audit logs."""
    role = writer_role_name(alias)
    _put(client, f"{API}/roles/{role}", writer_role(alias))
    _put(client, f"{API}/rolesmapping/{role}", role_mapping(worker_role_arn))
    _put(client, f"{API}/audit/config", audit_config())
    print(f"role {role}: {worker_role_arn} may write documents to {alias}")


def _put(client: OpenSearch, path: str, body: dict[str, Any]) -> None:
    try:
        client.transport.perform_request("PUT", path, body=body)
    except TransportError as exc:
        status = exc.status_code if isinstance(exc.status_code, int) else 0
        if status in (400, 403, 404, 405):
            raise ConfigurationError(
                f"the cluster refused {path} ({status}): fine-grained access control is off, "
                "or index-setup does not run as the domain's master user (the operator "
                "task)") from None
        raise ServiceUnavailableError(f"security API {path} failed: {exc}") from None
