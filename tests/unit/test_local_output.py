"""The output folder: atomic UTF-8 JSON, thumbnails, and event ordering as a DocumentSink."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from worker.adapters.local import LocalOutput
from worker.models import Document, Page, SourceRef, is_older
from worker.ports import DocumentSink


def _document(source: SourceRef, text: str) -> Document:
    return Document(
        id=source.document_id, source=source, file_name=source.file_name,
        mime_type="text/plain", size_bytes=len(text.encode()), sha256="0" * 64, content=text,
        pages=(Page(1, text, "text-layer"),), status="complete",
        processed_at="2026-01-01T00:00:00Z", processor_version="test",
    )


def test_documents_are_utf8_json_with_japanese_as_is(tmp_path: Path) -> None:
    output = LocalOutput(tmp_path)
    source = SourceRef(path="/in/見積書.txt")
    document = _document(source, "見積書　合計１０万円")
    document = replace(document, thumbnail=output.put_thumbnail(document.id, b"\xff\xd8jpeg"))
    assert output.write([document])[0].error is None
    raw = (tmp_path / "documents" / f"{document.id}.json").read_bytes()
    assert "見積書　合計１０万円".encode() in raw  # not \\u escapes
    assert json.loads(raw) == document.to_dict()
    assert document.thumbnail == f"thumbnails/{document.id}.jpg"
    assert (tmp_path / document.thumbnail).read_bytes() == b"\xff\xd8jpeg"
    assert not [p for p in (tmp_path / "documents").iterdir() if p.name.startswith(".")]


def test_sequencers_compare_zero_padded() -> None:
    assert is_older("9", "0A")
    assert is_older("0055B1A0C3D2E1F0", "0055B1A0C3D2E1F1")
    assert not is_older("0A", "9")
    assert not is_older(None, "0A") and not is_older("0A", None)


def test_an_older_event_never_overwrites_a_newer_document(tmp_path: Path) -> None:
    sink: DocumentSink = LocalOutput(tmp_path)
    newer = _document(SourceRef(bucket="b", key="k/議事録.txt", sequencer="0A"), "新しい")
    older = _document(SourceRef(bucket="b", key="k/議事録.txt", sequencer="9"), "古い")
    assert sink.write([newer]) == sink.write([newer])  # idempotent
    [result] = sink.write([older])
    assert result.stale and result.error is None
    stored = LocalOutput(tmp_path).read(newer.id)
    assert stored is not None and stored["content"] == "新しい"


def test_delete_respects_order_and_leaves_a_tombstone(tmp_path: Path) -> None:
    output = LocalOutput(tmp_path)
    source = SourceRef(bucket="b", key="k/a.txt", sequencer="10")
    document = _document(source, "本文")
    output.write([document])
    output.put_thumbnail(document.id, b"jpeg")
    output.delete(replace(source, sequencer="0F"))  # older delete: ignored
    assert output.read(document.id) is not None
    output.delete(replace(source, sequencer="11"))
    assert output.read(document.id) is None
    assert not (tmp_path / "thumbnails" / f"{document.id}.jpg").exists()
    [late] = output.write([_document(replace(source, sequencer="10"), "遅れた作成")])
    assert late.stale and output.read(document.id) is None
    [fresh] = output.write([_document(replace(source, sequencer="12"), "再作成")])
    assert not fresh.stale and output.read(document.id) is not None


def test_an_older_delete_does_not_replace_a_newer_tombstone(tmp_path: Path) -> None:
    output = LocalOutput(tmp_path)
    source = SourceRef(bucket="b", key="k/b.txt", sequencer="10")
    output.write([_document(source, "本文")])
    output.delete(replace(source, sequencer="20"))
    output.delete(replace(source, sequencer="15"))  # late, older delete
    [late] = output.write([_document(replace(source, sequencer="18"), "遅れた作成")])
    assert late.stale and output.read(source.document_id) is None


def test_events_without_sequencer_always_write(tmp_path: Path) -> None:
    output = LocalOutput(tmp_path)
    first = _document(SourceRef(path="/in/a.txt"), "一回目")
    output.write([first])
    output.write([replace(first, content="二回目")])
    stored = output.read(first.id)
    assert stored is not None and stored["content"] == "二回目"


def test_children_are_found_nested_and_removed_under_the_event_order(tmp_path: Path) -> None:
    from worker.models import child_document_id

    output = LocalOutput(tmp_path)
    source = SourceRef(bucket="landing", key="共有/見積.zip", sequencer="0B")
    parent = _document(source, "2024/a.zip")
    inner = replace(_document(source, "a.zip"), id=child_document_id(parent.id, "2024/a.zip"),
                    parent_id=parent.id)
    leaf = replace(_document(source, "見積"), id=child_document_id(inner.id, "見積.txt"),
                   parent_id=inner.id)
    parent = replace(parent, children=(inner.id,))
    inner = replace(inner, children=(leaf.id,))
    output.write([leaf, inner, parent])
    output.put_thumbnail(leaf.id, b"\xff\xd8jpeg")
    assert output.stored_children(parent.id) == [inner.id, leaf.id]
    older = replace(source, sequencer="0A")
    assert output.delete_documents(older, [inner.id, leaf.id]) == []  # a late older delete
    assert output.read(leaf.id) is not None
    assert output.delete_documents(source, [inner.id, leaf.id]) == [inner.id, leaf.id]
    assert output.read(leaf.id) is None and not (tmp_path / f"thumbnails/{leaf.id}.jpg").exists()
    assert output.stored_children(parent.id) == [inner.id]  # still listed; its list is gone
