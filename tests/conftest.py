"""Shared test fixtures. Each real service has its own fixture module in tests/fixtures/.

A test that uses a real service's fixture gets that service's marker whether or not its
module says so, so `-m "not opensearch and not docker"` (CodeBuild's gate, buildspec.yml)
can never run a test that needs a part the build host lacks.
"""

import pytest

pytest_plugins = [
    "tests.fixtures.moto",
    "tests.fixtures.japanese_pages",
    "tests.fixtures.opensearch",
    "tests.fixtures.docker",
    "tests.fixtures.landing",
    "tests.fixtures.worker_process",
    "tests.fixtures.xray",
    "tests.fixtures.office_documents",
]

_MARKERS_BY_FIXTURE = {
    "opensearch_node": ("integration", "opensearch"),
    "search_design": ("integration", "opensearch"),
    "docker_image": ("integration", "docker"),
    "moto_server": ("integration",),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            for marker in _MARKERS_BY_FIXTURE.get(fixture, ()):
                item.add_marker(marker)
