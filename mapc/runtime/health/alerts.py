"""The alert hook: a webhook called (POST, JSON) when a run fails, stops on its API budget,
or the open errors cross a threshold. It never holds up or fails a run: each call goes in
a thread with a timeout, and its own failure is one log line that names the host only
(a webhook URL often carries its secret in the path or query)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from mapc.runtime.errors import ConfigurationError

log = logging.getLogger("mapc.alerts")

DEFAULT_TIMEOUT = 5.0


def where(url: str) -> str:
    """A webhook URL fit to log: its scheme and host, nothing that could be a secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}" + (f":{parts.port}" if parts.port else "")


@dataclass
class AlertHook:
    url: str
    open_threshold: int | None = None
    """Alert when the open errors reach this many (having been fewer, or at the first
    run of this process); None: on failures only."""
    timeout: float = DEFAULT_TIMEOUT
    context: Mapping[str, str] = field(default_factory=dict)
    """Sent with every alert (adapter, account)."""
    _above: bool = False
    _threads: list[threading.Thread] = field(default_factory=list)
    _remember: Callable[[bool], None] = field(default=lambda _above: None)

    def remember(self, above: bool, keep: Callable[[bool], None]) -> None:
        """Start from whether the last run (of any process) was above the threshold, and
        keep it after each run: runs started by cron alert when the errors cross it,
        not on every run above it."""
        self._above = above
        self._remember = keep

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"The alert webhook must be an http(s) URL, not one for {where(self.url)}."
            )

    def after_run(self, run: Mapping[str, Any], open_errors: int) -> None:
        """After each run: `run` as the report gives it (run_id, outcome, counts)."""
        outcome = str(run.get("outcome", ""))
        if outcome in ("failed", "stopped_budget"):
            event = "run_failed" if outcome == "failed" else "budget_stopped"
            self._send(event, {**run, "open_errors": open_errors})
        above = self.open_threshold is not None and open_errors >= self.open_threshold
        if above and not self._above:
            self._send(
                "open_errors",
                {**run, "open_errors": open_errors, "threshold": self.open_threshold},
            )
        if above != self._above:
            self._remember(above)
        self._above = above

    def run_failed(self, message: str) -> None:
        """A run that stopped on an error before it could report."""
        self._send("run_failed", {"outcome": "failed", "message": message})

    def wait(self) -> None:
        """Let the calls in flight finish (each bounded by the timeout) before exiting."""
        for thread in self._threads:
            thread.join(self.timeout + 1)
        self._threads = [t for t in self._threads if t.is_alive()]

    def _send(self, event: str, body: Mapping[str, Any]) -> None:
        payload = {
            "event": event,
            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **self.context,
            **body,
        }
        thread = threading.Thread(target=self._post, args=(payload,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _post(self, payload: Mapping[str, Any]) -> None:
        try:
            response = requests.post(self.url, json=payload, timeout=self.timeout)
            if response.status_code >= 300:
                log.warning(
                    "alert webhook at %s answered HTTP %s", where(self.url), response.status_code
                )
        except requests.RequestException as exc:
            log.warning(
                "alert webhook at %s could not be called (%s); the run is not affected",
                where(self.url),
                type(exc).__name__,
            )
