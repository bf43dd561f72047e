"""Finished replies by key, and one evaluation for many identical concurrent misses.

A hit must cost no more than a dict lookup: it is what lets the endpoint outrun the engine it
wraps on repeated light queries. Keys include the data version, so a reload never serves stale
results; entries leave oldest-first once the byte budget is spent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

from ..response_cache import Stored

T = TypeVar("T")
COMMON_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Vary", "Accept"))


def reply(status: int, content_type: str, body: bytes,
          extra: tuple[tuple[str, str], ...] = ()) -> Stored:
    """An answer of the endpoint, as the response cache stores it."""
    headers = (("Content-Type", content_type), ("Content-Length", str(len(body))),
               *COMMON_HEADERS, *extra)
    return Stored(status, headers, body)


def retryable(answer: Stored) -> bool:
    """'Busy', 'timed out' or a failure: it may differ next time, so it is never kept."""
    return answer.status in (429, 503) or answer.status >= 500


class ReplyCache:
    """Answers by key within a byte budget (keys count: they hold query text); oldest out first."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: dict[Hashable, Stored] = {}
        self._weights: dict[Hashable, int] = {}
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Stored | None:
        return self._entries.get(key)

    def put(self, key: Hashable, reply: Stored) -> None:
        weight = _weight(key, reply)
        if retryable(reply) or weight > self.max_bytes // 4:
            return
        with self._lock:
            self._size -= self._weights.pop(key, 0)
            self._entries.pop(key, None)
            self._entries[key] = reply
            self._weights[key] = weight
            self._size += weight
            while self._size > self.max_bytes and self._entries:
                oldest = next(iter(self._entries))
                del self._entries[oldest]
                self._size -= self._weights.pop(oldest)

    def __len__(self) -> int:
        return len(self._entries)


def _weight(key: Hashable, reply: Stored) -> int:
    """Approximate bytes held by an entry: body, the text and bytes in its key, some overhead."""
    parts = key if isinstance(key, tuple) else (key,)
    return len(reply.body) + 256 + sum(len(p) for p in parts if isinstance(p, str | bytes))


@dataclass
class _Call:
    done: threading.Event = field(default_factory=threading.Event)
    result: object = None
    error: BaseException | None = None


class SingleFlight:
    """`do(key, fn)`: concurrent callers with the same key share one call of `fn`."""

    def __init__(self) -> None:
        self._calls: dict[Hashable, _Call] = {}
        self._lock = threading.Lock()

    def do(self, key: Hashable, fn: Callable[[], T], wait: float) -> T:
        """The result of `fn()`, computed once per key at a time; followers wait up to `wait` s."""
        with self._lock:
            call = self._calls.get(key)
            leader = call is None
            if leader:
                call = self._calls[key] = _Call()
        if leader:
            try:
                call.result = fn()
            except BaseException as e:  # handed to every waiter, then re-raised
                call.error = e
            finally:
                with self._lock:
                    del self._calls[key]
                call.done.set()
        elif not call.done.wait(wait):
            raise TimeoutError
        if call.error is not None:
            raise call.error
        return call.result  # type: ignore[return-value]
