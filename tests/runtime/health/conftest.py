"""Fixtures for the health tests (the engine tests' logger restore applies here too)."""

from __future__ import annotations

from tests.runtime.sync.conftest import _restore_mapc_logger

__all__ = ["_restore_mapc_logger"]
