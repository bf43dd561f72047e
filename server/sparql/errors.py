"""The one error type of the endpoint: an HTTP status and a message a person can act on."""

from __future__ import annotations


class SparqlError(Exception):
    """A request we answer with `status` (4xx/5xx) and `message`, never with a traceback."""

    def __init__(self, status: int, message: str, headers: tuple[tuple[str, str], ...] = ()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers
