"""Settling messages on SQS: delete, change visibility, release — failures logged, never
fatal. A delete that did not happen means the message comes back and is processed again
(idempotently); a visibility change that did not happen means it comes back sooner. Either
way nothing is lost, so the loop carries on (only configuration errors stop it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from worker.errors import FatalError, WorkerError
from worker.ports import BatchFailure, MessageQueue, ReceivedMessage

log = logging.getLogger(__name__)


class Acks:
    def __init__(self, queue: MessageQueue) -> None:
        self.queue = queue

    def delete(self, messages: Sequence[ReceivedMessage]) -> None:
        for failure in self._call("delete", lambda: self.queue.delete(messages)) or []:
            log.warning("delete failed: the message will come back",
                        extra={"message_id": failure.message_id, "code": failure.code})

    def change_visibility(self, messages: Sequence[ReceivedMessage], seconds: int) -> set[str]:
        """Ids of the messages whose visibility did not change."""
        failures = self._call("change visibility",
                              lambda: self.queue.change_visibility(messages, seconds))
        if failures is None:
            return {m.message_id for m in messages}
        for failure in failures:
            log.warning("visibility change failed",
                        extra={"message_id": failure.message_id, "code": failure.code})
        return {f.message_id for f in failures}

    def release(self, messages: Sequence[ReceivedMessage], why: str) -> None:
        """Visible again at once, for another worker (or this one) to take."""
        if messages:
            self.change_visibility(messages, 0)
            log.info("messages released", extra={
                "message_ids": [m.message_id for m in messages], "why": why})

    @staticmethod
    def _call(what: str, call: Callable[[], list[BatchFailure]]) -> list[BatchFailure] | None:
        """The call's per-entry failures, or None when the call itself failed."""
        try:
            return call()
        except FatalError:
            raise
        except WorkerError as exc:  # the message comes back by itself when it expires
            log.warning(f"{what} failed", extra=exc.to_dict())
            return None
