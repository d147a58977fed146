"""The worker's role in the domain's fine-grained access control: documents of its alias,
nothing else (worker/search/security.py builds the bodies index-setup sends)."""

from __future__ import annotations

from worker.search.security import audit_config, role_mapping, writer_role, writer_role_name

WORKER = "arn:aws:iam::123456789012:role/cis-prod-TaskRole-ABC"


def test_the_writer_role_reaches_only_the_alias_and_its_versions() -> None:
    role = writer_role("cis-files")
    (permission,) = role["index_permissions"]
    assert permission["index_patterns"] == ["cis-files", "cis-files-v*"]
    assert permission["allowed_actions"] == ["crud"]
    # no admin action groups anywhere: no index creation, deletion, mapping or settings
    granted = " ".join(role["cluster_permissions"] + permission["allowed_actions"])
    for forbidden in ("all_access", "manage", "indices:admin", "cluster:admin", "*"):
        assert forbidden not in granted.replace("bulk*", "bulk"), forbidden
    assert writer_role_name("cis-files") == "cis-files-writer"


def test_the_worker_role_is_mapped_as_a_backend_role_only() -> None:
    assert role_mapping(WORKER) == {"backend_roles": [WORKER], "users": [], "hosts": []}


def test_the_audit_log_never_records_document_bodies() -> None:
    config = audit_config()
    assert config["enabled"] is True
    assert config["audit"]["log_request_body"] is False
    assert config["compliance"]["write_log_diffs"] is False
