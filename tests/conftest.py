"""Shared test fixtures. Each real service has its own fixture module in tests/fixtures/."""

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
