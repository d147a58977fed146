"""Readings are findable on a real OpenSearch node: a Word file with ruby (東京 read
とうきょう) and an Excel file with phonetic runs (東京都港区 read トウキョウトミナトク) are
found by their readings, in hiragana or katakana, while `content` keeps only the written
words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from tests.fixtures.opensearch import OpenSearchNode
from tests.integration.index_helpers import found, refresh
from tests.office_inside import docx_with_pictures_ruby_comment
from tests.unit.test_office_inside import _phonetic_workbook
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import extract
from worker.models import SourceRef
from worker.search.mapping import MAPPING_VERSION
from worker.search.sink import OpenSearchSink

pytestmark = [pytest.mark.integration, pytest.mark.opensearch]
OPTIONS = ExtractionOptions(thumbnails=False)


@pytest.fixture(scope="module")
def readings_corpus(opensearch_node: OpenSearchNode,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OpenSearch, str]]:
    from worker.search.admin import setup_index

    folder = tmp_path_factory.mktemp("readings")
    alias = "test-search-readings"
    client = opensearch_node.client()
    setup_index(opensearch_node.settings(alias), client=client)
    files = [docx_with_pictures_ruby_comment(folder / "本社.docx", picture=False),
             _phonetic_workbook(folder)]
    documents = []
    for path in files:
        document = extract(path, SourceRef(bucket="landing", key=f"r/{path.name}"),
                           OPTIONS).document
        assert document.readings, path.name
        documents.append(document)
    assert [r.error for r in OpenSearchSink(client, alias).write(documents)] == [None, None]
    refresh(client, alias)
    yield client, alias
    client.indices.delete(index=f"{alias}-v*")
    client.indices.delete_index_template(name=f"{alias}-template")


@pytest.mark.parametrize(("query", "expected"), [
    ("とうきょう", ["本社.docx", "住所録.xlsx"]),   # ruby (hiragana) and phonetic (katakana)
    ("トウキョウ", ["本社.docx", "住所録.xlsx"]),   # the other kana finds both too
    ("たかはし", ["本社.docx"]),
    ("ﾀｶﾊｼ", ["本社.docx"]),                        # half-width katakana query
    ("みなとく", ["住所録.xlsx"]),
    ("トウキョウトミナトク", ["住所録.xlsx"]),      # the whole cell as it is read
    ("わたなべ", ["住所録.xlsx"]),                  # an inline string's phonetic run
    ("東京", ["本社.docx", "住所録.xlsx"]),         # the written word, from content
    ("おおさか", []),
])
def test_documents_are_found_by_their_readings(readings_corpus: tuple[OpenSearch, str],
                                               query: str, expected: list[str]) -> None:
    client, alias = readings_corpus
    assert sorted(found(client, alias, query)) == sorted(expected)


def test_readings_stay_out_of_content(readings_corpus: tuple[OpenSearch, str]) -> None:
    client, alias = readings_corpus
    hits = client.search(index=alias, body={"query": {"match": {"content": "とうきょう"}}})
    assert hits["hits"]["hits"] == []
    source = client.search(index=alias, body={"query": {"match_all": {}}})["hits"]["hits"]
    by_name = {hit["_source"]["file_name"]: hit["_source"] for hit in source}
    assert by_name["本社.docx"]["readings"][0] == {"base": "東京", "reading": "とうきょう"}


def test_folded_kana_tokens(readings_corpus: tuple[OpenSearch, str]) -> None:
    client, alias = readings_corpus
    def tokens(analyzer: str) -> list[str]:
        return [t["token"] for t in client.indices.analyze(
            index=f"{alias}-v{MAPPING_VERSION}",
            body={"analyzer": analyzer, "text": "トウキョウ"})["tokens"]]

    assert tokens("cis_reading") == ["と", "とう", "う", "うき", "き", "きょ", "ょ", "ょう", "う"]
    assert tokens("cis_reading_search") == ["と", "う", "き", "ょ", "う"]
