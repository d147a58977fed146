"""The search index's design, as plain data: analysis, mapping, template, alias.

Pure (no client): `worker/search/admin.py` sends these bodies, the tests read them.

Japanese has no spaces between words, so the default analysis indexes every character and
the overlapping character bigrams (`cjk_bigram` with unigrams, built into every
OpenSearch). Queries are analysed into single characters and run as phrases
(`text_query`): 請求書 matches 請 求 書 at consecutive positions, any part of a word is
findable, and a lone character between digits (第 in 第3号) matches too — bigrams alone
cannot find it, because the document holds 第 only inside the bigram 書第. Width is
normalised before tokenising — a generated `mapping` char filter folds full-width ASCII
(ＡＢＣ → ABC) and half-width katakana (ｶﾞｲﾄﾞ → ガイド), and `cjk_width` catches the rest —
so every width variant meets in the same terms. OCR output often has spaces or line breaks
between Japanese characters (請 求 書); a pattern char filter removes whitespace between two
Japanese characters, so such text forms the same bigrams as a text layer. File names are
split at `_ - .` too and also get 2-3 character n-grams, so fragments such as "plan" in
ProjectPlan_v2.xlsx match. Where
the domain has the kuromoji plugin (Amazon OpenSearch Service does), `kuromoji` adds
morphological `.morph` sub-fields for better-ranked whole-word matches; the bigram fields
stay, so partial words keep working.

Readings (`readings`: Word ruby and Excel phonetic runs, worker/models.py `Reading`) are
indexed in their own field with `cis_reading`, which also folds katakana to hiragana: Excel
stores readings in katakana (トウキョウ), Word ruby is usually hiragana (とうきょう), and
people type either; both meet in the same bigrams, so とうきょう finds the document that
writes 東京 without the reading ever entering `content`.

Documents live in a versioned index (`<alias>-v<N>`) behind the alias, so a mapping change
is a reindex and an alias swap. The alias filters out tombstones: a delete leaves
`{deleted: true, event_order}` so that a late, older event cannot resurrect the document.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from worker.config import Settings

# 2: child documents (parent_id, children, container_path), mail fields, readings,
# encoding_confidence, pages.ocr_images.
# 3: Japanese fields index unigrams next to bigrams and search with their own analyzer
# (a lone 第 in 第3号 is findable; a space typed in a query is a word break).
# `index-setup` moves the alias to the new version.
MAPPING_VERSION = 3
HALF_WIDTH_VOICED = "\uff9e"  # ﾞ
HALF_WIDTH_SEMI_VOICED = "\uff9f"  # ﾟ

JsonDict = dict[str, Any]

# What a search hit returns (`cis-worker search` prints these).
HIT_FIELDS = ("id", "file_name", "title", "source", "mime_type", "page_count", "status",
              "container_path")

# Whitespace between two Japanese characters (Java regex, as the pattern char filter reads it).
_JA = r"[\p{IsHan}\p{IsHiragana}\p{IsKatakana}ー々〆]"
CJK_GAP = rf"(?<={_JA})\s+(?={_JA})"


@dataclass(frozen=True)
class IndexDesign:
    alias: str
    dimensions: int
    knn_engine: str = "lucene"
    knn_space: str = "cosinesimil"
    japanese_analyzer: str = "bigram"
    version: int = MAPPING_VERSION

    @classmethod
    def from_settings(cls, settings: Settings, version: int = MAPPING_VERSION) -> IndexDesign:
        return cls(
            alias=settings.opensearch_index,
            dimensions=settings.embedding_dimensions,
            knn_engine=settings.opensearch_knn_engine,
            knn_space=settings.opensearch_knn_space,
            japanese_analyzer=settings.opensearch_japanese_analyzer,
            version=version,
        )

    @property
    def index_name(self) -> str:
        return f"{self.alias}-v{self.version}"

    @property
    def index_pattern(self) -> str:
        return f"{self.alias}-v*"

    @property
    def template_name(self) -> str:
        return f"{self.alias}-template"

    @property
    def kuromoji(self) -> bool:
        return self.japanese_analyzer == "kuromoji"


def _escape(text: str) -> str:
    """A mapping-rule side as \\uXXXX escapes, so no character can break the rule syntax."""
    return "".join(f"\\u{ord(char):04x}" for char in text)


def width_mappings() -> list[str]:
    """Rules folding full-width ASCII to ASCII and half-width katakana to full-width (NFKC of
    those blocks, voiced-mark pairs composed), for a `mapping` char filter."""
    pairs: dict[str, str] = {"\u3000": " "}
    for code in range(0xFF01, 0xFF5F):  # ！ .. ～
        pairs[chr(code)] = unicodedata.normalize("NFKC", chr(code))
    for code in range(0xFF61, 0xFF9E):  # ｡ .. ﾝ
        base = chr(code)
        pairs[base] = unicodedata.normalize("NFKC", base)
        for mark in (HALF_WIDTH_VOICED, HALF_WIDTH_SEMI_VOICED):
            composed = unicodedata.normalize("NFKC", base + mark)
            if len(composed) == 1:
                pairs[base + mark] = composed
    pairs[HALF_WIDTH_VOICED] = "\u309b"  # ゛ (NFKC would give a combining mark)
    pairs[HALF_WIDTH_SEMI_VOICED] = "\u309c"  # ゜
    return [f"{_escape(src)}=>{_escape(dst)}" for src, dst in sorted(pairs.items())]


def kana_mappings() -> list[str]:
    """Rules folding full-width katakana (ァ..ヶ) to hiragana (ぁ..ゖ), for readings."""
    return [f"{_escape(chr(code))}=>{_escape(chr(code - 0x60))}"
            for code in range(0x30A1, 0x30F7)]


def analysis(design: IndexDesign) -> JsonDict:
    """Each analyzer comes as a pair: the index side (OCR gaps removed; every Japanese
    character as a unigram and each pair as a bigram) and its `_search` side (what the person
    typed, spaces kept as word breaks, unigrams only: the phrase queries of `text_query` then
    ask for exactly these characters in this order)."""
    index_filters = ["cjk_width", "lowercase", "cis_bigram_unigrams"]
    search_filters = [*index_filters, "cis_drop_bigrams"]
    chars = {"cis_ja": ["cis_width"], "cis_reading": ["cis_width", "cis_kana"],
             "cis_file_name": ["cis_width", "cis_name_separators"]}
    analyzers: JsonDict = {}
    for name, char_filter in chars.items():
        analyzers[name] = {"type": "custom", "char_filter": [*char_filter, "cis_cjk_spaces"],
                           "tokenizer": "standard", "filter": index_filters}
        analyzers[f"{name}_search"] = {"type": "custom", "char_filter": char_filter,
                                       "tokenizer": "standard", "filter": search_filters}
    analyzers["cis_ngram"] = {"type": "custom", "char_filter": ["cis_width"],
                              "tokenizer": "cis_ngram", "filter": ["cjk_width", "lowercase"]}
    settings: JsonDict = {
        "char_filter": {
            "cis_width": {"type": "mapping", "mappings": width_mappings()},
            "cis_cjk_spaces": {"type": "pattern_replace", "pattern": CJK_GAP,
                               "replacement": ""},
            "cis_kana": {"type": "mapping", "mappings": kana_mappings()},
            "cis_name_separators": {
                "type": "mapping",
                "mappings": [f"{_escape(c)}=>{_escape(' ')}" for c in "_-.+()[]"],
            },
        },
        "filter": {
            "cis_bigram_unigrams": {"type": "cjk_bigram", "output_unigrams": True},
            "cis_drop_bigrams": {"type": "keep_types", "types": ["<DOUBLE>"],
                                 "mode": "exclude"},
        },
        "tokenizer": {
            "cis_ngram": {"type": "ngram", "min_gram": 2, "max_gram": 3,
                          "token_chars": ["letter", "digit"]},
        },
        "analyzer": analyzers,
    }
    if design.kuromoji:
        settings["tokenizer"]["cis_kuromoji"] = {"type": "kuromoji_tokenizer", "mode": "search"}
        settings["analyzer"]["cis_ja_morph"] = {
            "type": "custom", "char_filter": ["cis_width", "cis_cjk_spaces"],
            "tokenizer": "cis_kuromoji",
            "filter": ["kuromoji_baseform", "kuromoji_part_of_speech", "cjk_width", "ja_stop",
                       "kuromoji_stemmer", "lowercase"],
        }
    return settings


def _text(design: IndexDesign, analyzer: str = "cis_ja", offsets: bool = True) -> JsonDict:
    field: JsonDict = {"type": "text", "analyzer": analyzer,
                       "search_analyzer": f"{analyzer}_search"}
    if offsets:  # the highlighter reads stored offsets instead of re-analysing long text
        field["index_options"] = "offsets"
    if design.kuromoji:
        field["fields"] = {"morph": {"type": "text", "analyzer": "cis_ja_morph"}}
    return field


def mappings(design: IndexDesign) -> JsonDict:
    keyword = {"type": "keyword"}
    file_name = _text(design, "cis_file_name", offsets=False)
    file_name["fields"] = {
        **file_name.get("fields", {}),
        "ngram": {"type": "text", "analyzer": "cis_ngram"},
        "keyword": {"type": "keyword", "ignore_above": 1024},
    }
    return {
        "dynamic": "false",
        "properties": {
            "id": keyword,
            "source": {"properties": {name: keyword for name in
                                      ("bucket", "key", "version_id", "path", "sequencer")}},
            "file_name": file_name,
            "title": _text(design),
            "content": _text(design),
            "pages": {"type": "nested", "properties": {
                "number": {"type": "integer"}, "text": _text(design),
                "method": keyword, "confidence": {"type": "float"},
                "ocr_images": {"type": "integer"}}},
            "page_count": {"type": "integer"},
            "readings": {"properties": {
                "base": _text(design, offsets=False),
                "reading": {"type": "text", "analyzer": "cis_reading",
                            "search_analyzer": "cis_reading_search"}}},
            "encoding_confidence": {"type": "float"},
            "mime_type": keyword, "size_bytes": {"type": "long"}, "sha256": keyword,
            "status": keyword, "reason": {"type": "text"},
            "error_class": keyword, "error_code": keyword,
            "language": keyword, "encoding": keyword, "thumbnail": keyword,
            "processed_at": {"type": "date"}, "indexed_at": {"type": "date"},
            "deleted_at": {"type": "date"}, "processor_version": keyword,
            "embedding": {"type": "knn_vector", "dimension": design.dimensions,
                          "method": {"name": "hnsw", "engine": design.knn_engine,
                                     "space_type": design.knn_space}},
            "embedding_model": keyword,
            "event_order": keyword, "deleted": {"type": "boolean"},
            # containers (docs/documents.md): members and attachments are documents
            "parent_id": keyword, "children": keyword, "container_path": file_name,
            # mail
            "subject": _text(design), "from": _text(design, offsets=False),
            "to": _text(design, offsets=False), "date": {"type": "date"},
            "timings_ms": {"type": "object", "enabled": False},
        },
    }


def index_settings(design: IndexDesign) -> JsonDict:
    return {"index": {"knn": True, "refresh_interval": "1s"}, "analysis": analysis(design)}


def index_template(design: IndexDesign) -> JsonDict:
    """A composable index template for every version of this alias's index."""
    return {
        "index_patterns": [design.index_pattern],
        "priority": 100,
        "template": {"settings": index_settings(design), "mappings": mappings(design)},
        "_meta": {"mapping_version": design.version, "managed_by": "cis-worker index-setup"},
    }


def alias_body() -> JsonDict:
    """The alias is where the sink writes; searches through it never see delete tombstones."""
    return {"filter": {"bool": {"must_not": [{"term": {"deleted": True}}]}},
            "is_write_index": True}


def text_query(query: str, size: int = 10) -> JsonDict:
    """The search `cis-worker search` runs: every part of the query (split at spaces) must
    match as a phrase — its characters in that order, together — in one of the fields; the
    parts may sit in different fields. A phrase keeps 2024年4月1日 from finding 2024年1月4日
    and 第3号 from finding 第1号 … 3号棟. Plus the best pages (all parts on one page) with
    highlights."""
    parts = query.split() or [query]
    fields = ["title^3", "title.morph^2", "file_name^3", "file_name.morph", "file_name.ngram",
              "content", "content.morph", "readings.reading"]
    highlight = {"number_of_fragments": 2, "fragment_size": 80}
    document = [{"multi_match": {"query": part, "fields": fields, "type": "phrase"}}
                for part in parts]
    page = [{"match_phrase": {"pages.text": part}} for part in parts]
    return {
        "size": size,
        "_source": list(HIT_FIELDS),
        "query": {"bool": {"minimum_should_match": 1, "should": [
            {"bool": {"must": document}},
            {"nested": {"path": "pages", "score_mode": "max", "query": {"bool": {"must": page}},
                        "inner_hits": {"size": 3, "_source": ["pages.number"],
                                       "highlight": {"fields": {"pages.text": highlight}}}}},
        ]}},
        "highlight": {"fields": {"content": highlight, "title": {}, "file_name": {}}},
    }


def knn_query(vector: list[float], size: int = 10) -> JsonDict:
    return {
        "size": size,
        "_source": list(HIT_FIELDS),
        "query": {"knn": {"embedding": {"vector": vector, "k": size}}},
    }
