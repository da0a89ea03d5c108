"""The token that turns the page's actions on, and the browser sessions it opens: the
token is compared in constant time and never put in a cookie; a session is a random
nonce known to this server, with an expiry, ended by logout."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

COOKIE = "mapc_session"
MAX_AGE = 8 * 3600
"""Seconds a session lasts: a working day, then the token is asked for again."""
MAX_SESSIONS = 1000
"""Open sessions kept at most; the oldest goes first (a server restart ends them all)."""


@dataclass(frozen=True)
class Token:
    secret: str | None
    """None: actions are off."""

    @property
    def enabled(self) -> bool:
        return bool(self.secret)

    def matches(self, given: str | None) -> bool:
        if not self.secret or not given:
            return False
        return hmac.compare_digest(given.encode(), self.secret.encode())

    def __repr__(self) -> str:  # never show the secret in a log or traceback
        return f"Token(enabled={self.enabled})"


class Sessions:
    """Sessions opened by giving the token. Only a hash of each nonce is kept, so the
    table itself holds nothing a browser could present."""

    def __init__(
        self, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_age = max_age
        self.clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(nonce: str) -> str:
        return hashlib.sha256(nonce.encode()).hexdigest()

    def open(self) -> str:
        """A new session's cookie value."""
        nonce = secrets.token_urlsafe(32)
        with self._lock:
            now = self.clock()
            self._expiry = {k: t for k, t in self._expiry.items() if t > now}
            while len(self._expiry) >= MAX_SESSIONS:
                del self._expiry[min(self._expiry, key=self._expiry.__getitem__)]
            self._expiry[self._key(nonce)] = now + self.max_age
        return nonce

    def valid(self, cookie: str | None) -> bool:
        if not cookie:
            return False
        with self._lock:
            expiry = self._expiry.get(self._key(cookie))
            if expiry is None:
                return False
            if expiry <= self.clock():
                del self._expiry[self._key(cookie)]
                return False
            return True

    def close(self, cookie: str | None) -> None:
        if cookie:
            with self._lock:
                self._expiry.pop(self._key(cookie), None)
