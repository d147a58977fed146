"""A bulk request the domain refuses as a whole (HTTP 413, larger than its
http.max_content_length): the sink sends each document alone, so only the document that is
too large on its own is rejected. Checked on the wire against a local HTTP listener that
answers like a domain with a small request limit (the test node's limit cannot be lowered
without restarting it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from tenacity import wait_none

from tests.integration.index_helpers import make_document
from worker.config import Settings
from worker.errors import DocumentRejectedError
from worker.search.client import connect
from worker.search.sink import OpenSearchSink

pytestmark = [pytest.mark.integration]

LIMIT_BYTES = 4000  # the listener's http.max_content_length


@pytest.fixture
def small_domain() -> Iterator[tuple[str, list[int]]]:
    """(url, item count of every bulk request received)."""
    received: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = [json.loads(line) for line in body.splitlines()[::2]]
            received.append(len(headers))
            if len(body) > LIMIT_BYTES:
                status, answer = 413, {"error": "request entity too large"}
            else:
                status, answer = 200, {"errors": False, "items": [
                    {"update": {"status": 201, "result": "created"}} for _ in headers]}
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def test_a_batch_over_the_request_limit_is_sent_one_by_one(
        small_domain: tuple[str, list[int]]) -> None:
    url, received = small_domain
    client = connect(Settings.from_env({"OPENSEARCH_ENDPOINT": url, "OPENSEARCH_AUTH": "none"}))
    sink = OpenSearchSink(client, "cis-files", attempts=2, wait=wait_none())
    small = [make_document(f"b/{n}.pdf", [f"短い{n}"]) for n in range(2)]
    huge = make_document("b/huge.pdf", ["大" * LIMIT_BYTES])
    results = sink.write([small[0], huge, small[1]])
    assert [r.document_id for r in results] == [small[0].id, huge.id, small[1].id]
    assert results[0].error is None and results[2].error is None
    assert isinstance(results[1].error, DocumentRejectedError)
    assert not results[1].error.retryable
    assert received == [3, 1, 1, 1]  # the batch, then each document alone, once
