"""The token that turns the page's actions on: compared in constant time, never stored
in a cookie as itself (the cookie holds an HMAC of it)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

COOKIE = "mapc_session"
_PURPOSE = b"mapc serve session v1"


@dataclass(frozen=True)
class Token:
    secret: str | None
    """None: actions are off."""

    @property
    def enabled(self) -> bool:
        return bool(self.secret)

    def _session(self) -> str:
        assert self.secret
        return hmac.new(self.secret.encode(), _PURPOSE, hashlib.sha256).hexdigest()

    def matches(self, given: str | None) -> bool:
        if not self.secret or not given:
            return False
        return hmac.compare_digest(given.encode(), self.secret.encode())

    def session_value(self) -> str:
        """What the cookie holds once the token was given."""
        return self._session()

    def session_matches(self, cookie: str | None) -> bool:
        if not self.secret or not cookie:
            return False
        return hmac.compare_digest(cookie.encode(), self._session().encode())

    def __repr__(self) -> str:  # never show the secret in a log or traceback
        return f"Token(enabled={self.enabled})"
