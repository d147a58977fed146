"""A parser that trips over a file's own content is a permanent failure, never a transient one.

DESIGN.md §3 Errors: "a file whose own content makes a parser fail ... is permanent, never
transient: retrying it cannot help". The readers turn the failures they know into our
errors, but a library can still raise a plain ValueError, TypeError, KeyError, struct.error,
zlib.error, ... on input its authors did not foresee (an xlsx cell `<v>abc</v>` where an
index belongs, a TIFF without dimensions). Unclassified, `classify` would call it transient:
retried three times, then dead-lettered with no document. `reading_content` turns exactly
those exception types into a CorruptFileError (code `corrupt`) that names the exception.

Left alone on purpose: OSError (a disk or a network share failing is transient), MemoryError
(the memory limit's business: worker/limits.py and service.py make it `too-large`), and our
own WorkerErrors, which are already classified.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from worker.errors import CorruptFileError

CONTENT_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,  # UnicodeError is one
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    struct.error,
    zlib.error,
    RecursionError,
    EOFError,
    NotImplementedError,
)
_MAX_MESSAGE = 300


def content_error(what: str, exc: BaseException) -> CorruptFileError:
    """The permanent error for `exc`, raised while reading `what` (e.g. "the xlsx file")."""
    message = " ".join(str(exc).split())[:_MAX_MESSAGE]
    detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return CorruptFileError(f"{what} could not be parsed ({detail})")


@contextmanager
def reading_content(what: str) -> Iterator[None]:
    """Within: a content-parsing exception becomes a CorruptFileError naming it."""
    try:
        yield
    except CONTENT_ERRORS as exc:
        raise content_error(what, exc) from exc
