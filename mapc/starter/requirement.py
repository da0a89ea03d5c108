"""How a new project installs mapc: the requirement this mapc was itself installed from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from mapc import __version__

__all__ = ["Requirement", "installed_requirement"]


@dataclass(frozen=True)
class Requirement:
    """A pip requirement for mapc; `local` when it names a path on this machine, which CI
    and colleagues cannot install from."""

    spec: str
    local: bool = False


def _without_credentials(url: str) -> str:
    # A token in an install URL (https://user:token@host/...) must not end up in a file
    # that is committed; `git@host` (ssh) names no secret and stays.
    parts = urlsplit(url)
    if parts.password is None and parts.scheme in ("", "file", "ssh", "git+ssh"):
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def installed_requirement() -> Requirement:
    """PEP 610's record of where pip got mapc: a VCS commit, an archive URL or a local
    path; none means a package index, where the version pins it."""
    from importlib import metadata

    try:
        distribution = metadata.distribution("mapc")
    except metadata.PackageNotFoundError:  # run from a source tree, not installed
        return Requirement(f"mapc=={__version__}")
    text = distribution.read_text("direct_url.json")
    if not text:
        return Requirement(f"mapc=={distribution.version}")
    try:
        origin = json.loads(text)
        url = _without_credentials(str(origin["url"]))
    except (ValueError, KeyError, TypeError):
        return Requirement(f"mapc=={distribution.version}")
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") and vcs.get("commit_id"):
        return Requirement(f"mapc @ {vcs['vcs']}+{url}@{vcs['commit_id']}", url.startswith("file:"))
    return Requirement(f"mapc @ {url}", url.startswith("file:"))
