"""What employees type into the search box finds the documents that say it — and only those:
a table of (document, query) pairs that must match and pairs that must not, run on a real
OpenSearch node through the product's sink and `text_query`.

Every row is a separate document in one index, so a query that matches too much (a date,
an order number, a lone 第 … 号) shows up as a wrong extra hit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from tests.fixtures.opensearch import OpenSearchNode, unique_name
from tests.integration.index_helpers import found, make_document, refresh
from worker.search.admin import setup_index
from worker.search.sink import OpenSearchSink

pytestmark = [pytest.mark.integration, pytest.mark.opensearch]

# file name -> the text of its one page
DOCUMENTS = {
    "full-width.pdf": "請求書 第３号\n株式会社サンプル 御中",
    "half-width.pdf": "請求書 第3号 発行日 2024年4月1日",
    "brackets.pdf": "請求書（第3号）ご請求金額 ￥１２０，０００",
    "thirteen.pdf": "請求書 第13号 発行日 2024年4月11日 注文番号 INV-2024-0013",
    "building.pdf": "見積書 第1号 納品先 3号棟",
    "order.pdf": "ＡＢＣ商事株式会社 ２０２４年度 注文番号 INV-2024-0012 ｶﾀｶﾅ表記",
    "compound.pdf": "東京サンプル商事株式会社大阪支店 御見積",
    "january.pdf": "契約日 2024年1月4日",
    "xyz.pdf": "XYZ商事 ABC-123 部品",
    "ocr.pdf": "議 事 録\n第 2 回 定例会議",
}

MUST_FIND = [
    ("請求書 第3号", {"full-width.pdf", "half-width.pdf", "brackets.pdf"}),
    ("請求書 第３号", {"full-width.pdf", "half-width.pdf", "brackets.pdf"}),
    ("第3号", {"full-width.pdf", "half-width.pdf", "brackets.pdf"}),
    ("請求書第3号", {"full-width.pdf", "half-width.pdf", "brackets.pdf"}),
    ("第13号", {"thirteen.pdf"}),
    ("ABC商事", {"order.pdf"}),
    ("ＡＢＣ商事", {"order.pdf"}),
    ("abc", {"order.pdf", "xyz.pdf"}),
    ("2024年度", {"order.pdf"}),
    ("２０２４年度", {"order.pdf"}),
    ("カタカナ", {"order.pdf"}),
    ("ｶﾀｶﾅ", {"order.pdf"}),
    ("サンプル商事", {"compound.pdf"}),            # a company name inside a longer compound
    ("大阪支店", {"compound.pdf"}),
    ("2024年4月1日", {"half-width.pdf"}),
    ("２０２４年４月１日", {"half-width.pdf"}),
    ("2024年4月", {"half-width.pdf", "thirteen.pdf"}),
    ("INV-2024-0012", {"order.pdf"}),
    ("ＩＮＶ－２０２４－００１２", {"order.pdf"}),
    ("INV 2024 0012", {"order.pdf"}),
    ("0012", {"order.pdf"}),
    ("ABC-123", {"xyz.pdf"}),
    ("120,000", {"brackets.pdf"}),
    ("議事録", {"ocr.pdf"}),                       # OCR spaces between the characters
    ("第2回", {"ocr.pdf"}),
    ("発行日 2024年4月1日", {"half-width.pdf"}),     # parts in any order of the text
    ("2024年4月1日 請求書", {"half-width.pdf"}),
]

MUST_NOT_FIND = [
    ("第3号", "building.pdf"),         # 第1号 … 3号棟: the characters, but not together
    ("第3号", "thirteen.pdf"),         # 第13号
    ("第1号", "half-width.pdf"),       # 第3号 … 4月1日
    ("2024年4月1日", "thirteen.pdf"),  # 2024年4月11日
    ("2024年4月1日", "january.pdf"),   # 2024年1月4日: the same characters in another order
    ("INV-2024-0012", "thirteen.pdf"),
    ("ABC商事", "xyz.pdf"),            # ABC and 商事, apart
    ("大阪本店", "compound.pdf"),
    ("見積書", "half-width.pdf"),
    ("請求書 見積書", "building.pdf"),  # every part must be there
]


@pytest.fixture(scope="module")
def table_index(opensearch_node: OpenSearchNode) -> Iterator[tuple[OpenSearch, str]]:
    alias = unique_name("test-findability")
    client = opensearch_node.client()
    setup_index(opensearch_node.settings(alias), client=client)
    documents = [make_document(f"f/{name}", [text], method="ocr" if name == "ocr.pdf"
                               else "text-layer") for name, text in DOCUMENTS.items()]
    assert [r.error for r in OpenSearchSink(client, alias).write(documents)] == \
        [None] * len(documents)
    refresh(client, alias)
    yield client, alias
    client.indices.delete(index=f"{alias}-v*")
    client.indices.delete_index_template(name=f"{alias}-template")


@pytest.mark.parametrize(("query", "expected"), MUST_FIND, ids=[q for q, _ in MUST_FIND])
def test_the_query_finds_exactly_these(table_index: tuple[OpenSearch, str], query: str,
                                       expected: set[str]) -> None:
    client, alias = table_index
    assert set(found(client, alias, query)) == expected


@pytest.mark.parametrize(("query", "unwanted"), MUST_NOT_FIND,
                         ids=[f"{q}-{n}" for q, n in MUST_NOT_FIND])
def test_the_query_does_not_find(table_index: tuple[OpenSearch, str], query: str,
                                 unwanted: str) -> None:
    client, alias = table_index
    assert unwanted not in found(client, alias, query)
