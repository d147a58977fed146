"""The error classes every part of the worker speaks.

A failure is one of three kinds, and the kind decides what happens next (see DESIGN.md):
- PermanentError: the input itself is bad (corrupt, encrypted, unsupported, too large, gone,
  unparseable). Recorded, never retried blindly.
- TransientError: the world is temporarily unwell (throttling, 5xx, timeouts, the index down).
  Retried with backoff; the message stays on the queue.
- FatalError: the worker cannot run at all (configuration, missing programs). Exit code 2.

Each error carries a short machine-readable `code` (for summaries, logs and metrics) and a
human-readable `reason`. Unknown exceptions are classified as transient by `classify`.
"""

from __future__ import annotations

from typing import ClassVar


class WorkerError(Exception):
    """Base of all errors the worker raises on purpose."""

    error_class: ClassVar[str] = "worker"
    retryable: ClassVar[bool] = False
    exit_code: ClassVar[int] = 1
    code: ClassVar[str] = "error"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def to_dict(self) -> dict[str, str]:
        return {"error_class": self.error_class, "code": self.code, "reason": self.reason}


class PermanentError(WorkerError):
    """The input is bad: do not retry; record it."""

    error_class = "permanent"
    code = "permanent"


class TransientError(WorkerError):
    """Something outside the input failed for now: retry later with backoff."""

    error_class = "transient"
    retryable = True
    code = "transient"


class FatalError(WorkerError):
    """The worker cannot run: configuration or environment is wrong."""

    error_class = "fatal"
    exit_code = 2
    code = "fatal"


# --- permanent: the file -------------------------------------------------------------------


class UnsupportedFileError(PermanentError):
    code = "unsupported"


class CorruptFileError(PermanentError):
    code = "corrupt"


class EncryptedFileError(PermanentError):
    code = "encrypted"


class FileTooLargeError(PermanentError):
    code = "too-large"


class DecompressionBombError(PermanentError):
    code = "decompression-bomb"


class EmptyFileError(PermanentError):
    code = "empty"


class TooSlowError(PermanentError):
    """The content costs more time than any retry would have (e.g. a PDF of nested drawings
    that keeps pdftotext busy for minutes): recorded once, never retried."""

    code = "too-slow"


class RetriesExhaustedError(PermanentError):
    """Still failing on the message's last receive: the failed document says why, and the
    message goes on to the DLQ (a redrive processes it again)."""

    code = "retries-exhausted"


class WorkerCrashedError(PermanentError):
    """The process working on the file died again when retried (killed by a signal, out of
    memory, a crash in a native library): the file's own content kills it."""

    code = "worker-crashed"


# --- permanent: the event ------------------------------------------------------------------


class ObjectGoneError(PermanentError):
    code = "object-gone"


class BadMessageError(PermanentError):
    code = "bad-message"


class StaleEventError(PermanentError):
    """An older event arrived after a newer one was applied: nothing to do."""

    code = "stale-event"


class DocumentRejectedError(PermanentError):
    """The search index refused the document itself (mapping or document error)."""

    code = "document-rejected"


# --- transient ----------------------------------------------------------------------------


class ThrottledError(TransientError):
    code = "throttled"


class ServiceUnavailableError(TransientError):
    code = "service-unavailable"


class TimeoutExceededError(TransientError):
    code = "timeout"


# --- fatal --------------------------------------------------------------------------------


class ConfigurationError(FatalError):
    code = "configuration"


class MissingProgramError(FatalError):
    code = "missing-program"


def classify(exc: BaseException) -> WorkerError:
    """Return `exc` as a WorkerError; anything unknown is transient (retry, then DLQ)."""
    if isinstance(exc, WorkerError):
        return exc
    wrapped = TransientError(f"unexpected {type(exc).__name__}: {exc}")
    wrapped.__cause__ = exc
    return wrapped
