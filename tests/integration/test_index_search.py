"""Japanese (and English) documents are findable on a real OpenSearch node with the index
design of worker/search/mapping.py: words, partial words, width variants, OCR-spaced text,
file-name fragments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from tests.fixtures.opensearch import OpenSearchNode, unique_name
from tests.integration.index_helpers import found, make_document, refresh
from worker.search.mapping import MAPPING_VERSION, IndexDesign
from worker.search.sink import OpenSearchSink

pytestmark = [pytest.mark.integration, pytest.mark.opensearch]

INVOICE = "請求書_2024年4月_サンプル商事.pdf"
ESTIMATE = "scan_0001.pdf"
PLAN = "ProjectPlan_v2.pdf"
MINUTES = "議事録_営業会議.pdf"


@pytest.fixture(scope="module")
def corpus(opensearch_node: OpenSearchNode) -> Iterator[tuple[OpenSearch, str]]:
    """Four documents written through the product's sink into a fresh index."""
    from worker.search.admin import setup_index

    alias = unique_name("test-search-corpus")
    settings = opensearch_node.settings(alias)
    client = opensearch_node.client()
    setup_index(settings, client=client)
    documents = [
        make_document(f"経理/{INVOICE}", [
            "株式会社サンプル 御中",
            "請求書\nご請求金額 ￥１２０，０００\nお支払期限 2024年4月30日"]),
        # OCR output: spaces between characters, full-width Latin, half-width katakana
        make_document(f"scans/{ESTIMATE}", [
            "見 積 書\n件名 ： 社内 システム 保守\nＡＢＣ 商事 株式会社",
            "ｼｽﾃﾑ ﾒﾝﾃﾅﾝｽ 一式"], method="ocr"),
        make_document(f"en/{PLAN}", ["Quarterly project plan for the new warehouse system."],
                      title="Warehouse Project"),
        make_document(f"会議/{MINUTES}", ["営業会議の議事録。", "議題：データベース移行の日程"]),
    ]
    results = OpenSearchSink(client, alias).write(documents)
    assert [r.error for r in results] == [None] * 4
    refresh(client, alias)
    yield client, alias
    client.indices.delete(index=f"{alias}-v*")
    client.indices.delete_index_template(name=f"{alias}-template")


@pytest.mark.parametrize(("query", "expected"), [
    ("請求書", [INVOICE]),                  # a word from the text layer
    ("請求", [INVOICE]),                    # part of a word
    ("見積書", [ESTIMATE]),                 # OCR text with spaces between the characters
    ("見積", [ESTIMATE]),
    ("システム保守", [ESTIMATE]),           # words the OCR separated by a space
    ("ABC商事", [ESTIMATE]),                # ＡＢＣ in the document (full-width)
    ("ＡＢＣ", [ESTIMATE]),                 # full-width query
    ("abc", [ESTIMATE]),                    # lower case
    ("システムメンテナンス", [ESTIMATE]),   # ｼｽﾃﾑ ﾒﾝﾃﾅﾝｽ in the document (half-width)
    ("ﾃﾞｰﾀﾍﾞｰｽ", [MINUTES]),               # half-width query with voiced marks
    ("データベース移行", [MINUTES]),
    ("議事録", [MINUTES]),
    ("サンプル商事", [INVOICE]),            # only in the file name
    ("営業会議", [MINUTES]),
    ("jectPla", [PLAN]),                    # a fragment of a Latin file name
    ("warehouse", [PLAN]),                  # English words
    ("Quarterly Plan", [PLAN]),
    ("１２０，０００", [INVOICE]),          # full-width digits find the amount
    ("存在しない語", []),
    ("請求書 warehouse", []),              # every term must match
])
def test_documents_are_found_by_what_people_type(corpus: tuple[OpenSearch, str], query: str,
                                                  expected: list[str]) -> None:
    client, alias = corpus
    assert found(client, alias, query) == expected


def test_the_estimate_is_not_found_by_the_invoice_word(corpus: tuple[OpenSearch, str]) -> None:
    client, alias = corpus
    assert ESTIMATE not in found(client, alias, "請求書")
    assert INVOICE not in found(client, alias, "見積書")


def test_hits_carry_highlights_and_page_numbers(corpus: tuple[OpenSearch, str]) -> None:
    from worker.search.mapping import text_query

    client, alias = corpus
    hit = client.search(index=alias, body=text_query("データベース"))["hits"]["hits"][0]
    assert "<em>" in hit["highlight"]["content"][0]
    pages = hit["inner_hits"]["pages"]["hits"]["hits"]
    assert [page["_source"]["number"] for page in pages] == [2]
    assert "<em>" in pages[0]["highlight"]["pages.text"][0]


def test_search_design_uses_only_built_in_components(search_design: IndexDesign,
                                                     opensearch_node: OpenSearchNode) -> None:
    """The analyzers the mapping names exist on a node without extra analysis plugins: the
    index side keeps unigrams and bigrams, the search side unigrams (for phrase queries)."""
    client = opensearch_node.client()

    def tokens(analyzer: str) -> list[str]:
        return [t["token"] for t in client.indices.analyze(index=search_design.index_name, body={
            "analyzer": analyzer, "text": "ｶﾞｲﾄﾞ ＡＢＣ 請 求 書"})["tokens"]]

    assert tokens("cis_ja") == ["ガ", "ガイ", "イ", "イド", "ド", "abc",
                                "請", "請求", "求", "求書", "書"]
    assert tokens("cis_ja_search") == ["ガ", "イ", "ド", "abc", "請", "求", "書"]


def test_kuromoji_option_matches_inflected_words(opensearch_node: OpenSearchNode) -> None:
    """With OPENSEARCH_JAPANESE_ANALYZER=kuromoji, `.morph` fields find a word in another
    inflection (走った ~ 走る), which bigrams alone cannot, and bigram partial words still work."""
    from worker.search.admin import setup_index

    alias = unique_name("test-search-kuromoji")
    settings = opensearch_node.settings(alias, OPENSEARCH_JAPANESE_ANALYZER="kuromoji")
    client = opensearch_node.client()
    setup_index(settings, client=client)
    try:
        sink = OpenSearchSink(client, alias)
        sink.write([
            make_document("k/報告.pdf", ["担当者が現地まで走った。関西国際空港にて確認済み。"]),
            make_document("k/other.pdf", ["国際会議の空席状況"])])
        refresh(client, alias)
        assert found(client, alias, "走る") == ["報告.pdf"]   # morphology: base form
        assert found(client, alias, "空港") == ["報告.pdf"]   # decompounded / bigram
        assert found(client, alias, "際空") == ["報告.pdf"]   # a bigram partial word
        tokens = client.indices.analyze(index=f"{alias}-v{MAPPING_VERSION}", body={
            "analyzer": "cis_ja_morph", "text": "ｶﾞｲﾄﾞﾗｲﾝを確 認 した"})["tokens"]
        assert [t["token"] for t in tokens] == ["ガイドライン", "確認"]
    finally:
        client.indices.delete(index=f"{alias}-v*")
        client.indices.delete_index_template(name=f"{alias}-template")


def test_bigrams_alone_do_not_match_inflections(corpus: tuple[OpenSearch, str]) -> None:
    """The default (no plugin) analysis is character-based: what kuromoji adds is real."""
    client, alias = corpus
    assert found(client, alias, "移行する") == []
