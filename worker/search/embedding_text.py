"""Pure: cut a document's text into pieces the embedding model accepts, and combine their
vectors into one document vector.

Titan Text Embeddings V2 takes at most 8,192 tokens (and 50,000 characters) per request.
Japanese runs at about one token per character or more, so a chunk is at most 4,000
characters, cut at a paragraph, sentence or line end where one is near, with a small
overlap so a sentence cut in two is still seen whole once. Only the first `max_chunks`
chunks are embedded (the opening pages say what a business document is about, and the
cost stays bounded). The document vector is the length-weighted mean of the chunk vectors,
scaled back to unit length, which is what cosine / inner-product k-NN expects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_CHUNK_CHARS = 4000
OVERLAP_CHARS = 200
DEFAULT_MAX_CHUNKS = 16
_BREAKS = ("\n\n", "。", "\n", ". ", "、", " ")  # best first


def _cut(text: str, start: int, limit: int) -> int:
    """Where the chunk starting at `start` should end: a natural break in its last third."""
    end = start + limit
    if end >= len(text):
        return len(text)
    floor = start + limit * 2 // 3
    for mark in _BREAKS:
        found = text.rfind(mark, floor, end)
        if found != -1:
            return found + len(mark)
    return end


def chunk_text(text: str, max_chars: int = MAX_CHUNK_CHARS, overlap: int = OVERLAP_CHARS,
               max_chunks: int = DEFAULT_MAX_CHUNKS) -> list[str]:
    """Chunks of at most `max_chars` characters, at most `max_chunks` of them."""
    if overlap >= max_chars:
        raise ValueError("overlap must be smaller than a chunk")
    text = text.strip()
    chunks: list[str] = []
    start = 0
    while start < len(text) and len(chunks) < max_chunks:
        end = _cut(text, start, max_chars)
        piece = text[start:end].strip()
        if piece:
            chunks.append(piece)
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return chunks


def combine(vectors: Sequence[Sequence[float]], weights: Sequence[float]) -> tuple[float, ...]:
    """Weighted mean of equally long vectors, scaled to unit length."""
    if not vectors or len(vectors) != len(weights):
        raise ValueError("one weight per vector, at least one vector")
    dims = len(vectors[0])
    if any(len(vector) != dims for vector in vectors):
        raise ValueError("vectors of different lengths")
    total = [0.0] * dims
    for vector, weight in zip(vectors, weights, strict=True):
        for i, value in enumerate(vector):
            total[i] += value * weight
    norm = math.sqrt(sum(value * value for value in total))
    if norm == 0:
        raise ValueError("the vectors cancel out")
    return tuple(value / norm for value in total)
