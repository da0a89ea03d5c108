"""Connector settings read from the environment; secrets are wrapped so they never print."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mapc.runtime.errors import ConfigurationError

DEFAULT_HUBSPOT_BASE_URL = "https://api.hubapi.com"
DEFAULT_SALESFORCE_API_VERSION = "59.0"
DEFAULT_HUBSPOT_SEARCH_LOOKBACK_SECONDS = 30
# Plain http:// to a HubSpot URL that is not this machine sends the token in clear text:
# refused unless this variable is "1".
INSECURE_OPT_IN = "HUBSPOT_ALLOW_INSECURE_HTTP"


class Secret:
    """A credential. Its str() and repr() never show the value; `reveal()` does."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:  # never pickle a credential by accident
        raise TypeError("a Secret cannot be pickled")


def _get(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _secret(environ: Mapping[str, str], name: str) -> Secret | None:
    value = _get(environ, name)
    return Secret(value) if value else None


_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_PASSWORD_IN_TEXT = re.compile(r"(?i)\b(password|passwd|pwd)\s*=\s*('[^']*'|\"[^\"]*\"|\S+)")


def masked_text(text: str) -> str:
    """Text fit to log: the password of every URL in it, and any `password=...` (a
    libpq connection string), replaced by ***."""
    text = _URL_IN_TEXT.sub(lambda m: masked_url(m.group(0)), text)
    return _PASSWORD_IN_TEXT.sub(lambda m: f"{m.group(1)}=***", text)


def masked_url(url: str) -> str:
    """A URL fit to print: the password in its user part, if any, replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an unreadable URL)"
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None:
        netloc += f":{port}"
    return parts._replace(netloc=netloc).geturl()


def url_password(url: str | None) -> str | None:
    """The password written into a URL's user part (a secret to redact), if any."""
    if not url:
        return None
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def is_loopback(url: str) -> bool:
    """Whether a URL's host is this machine (localhost, 127.0.0.0/8 or ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ca_file(environ: Mapping[str, str], *names: str) -> tuple[str | None, str]:
    """The first CA file named by `names` and the variable that named it."""
    for name in names:
        value = _get(environ, name)
        if value is not None:
            return str(Path(value).expanduser()), name
    return None, names[0]


def check_ca_file(path: str | None, variable: str) -> None:
    """A CA file must exist before a connector uses it: requests would otherwise fail on
    the first call with an OSError (a traceback, not a sentence)."""
    if path is not None and not Path(path).is_file():
        raise ConfigurationError(
            f"{variable} names the CA file {path}, which does not exist or is not a file."
        )


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = _get(environ, name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a positive whole number, not {raw!r}.")
    return int(raw)


def _non_negative_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = _get(environ, name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise ConfigurationError(f"{name} must be a whole number of 0 or more, not {raw!r}.")
    return int(raw)


@dataclass(frozen=True)
class SalesforceSettings:
    """How to reach one Salesforce org: an instance URL and access token, or a username,
    password and security token (logging in at `domain`: login, test or a My Domain)."""

    instance_url: str | None = None
    access_token: Secret | None = None
    username: str | None = None
    password: Secret | None = None
    security_token: Secret | None = None
    domain: str | None = None
    api_version: str = DEFAULT_SALESFORCE_API_VERSION
    ca_bundle: str | None = None
    timeout: float = 120.0
    ca_variable: str = "SALESFORCE_CA_BUNDLE"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SalesforceSettings:
        env = os.environ if environ is None else environ
        ca_bundle, ca_variable = _ca_file(env, "SALESFORCE_CA_BUNDLE", "REQUESTS_CA_BUNDLE")
        settings = cls(
            instance_url=_get(env, "SALESFORCE_INSTANCE_URL"),
            access_token=_secret(env, "SALESFORCE_ACCESS_TOKEN"),
            username=_get(env, "SALESFORCE_USERNAME"),
            password=_secret(env, "SALESFORCE_PASSWORD"),
            security_token=_secret(env, "SALESFORCE_SECURITY_TOKEN"),
            domain=_get(env, "SALESFORCE_DOMAIN"),
            api_version=_get(env, "SALESFORCE_API_VERSION") or DEFAULT_SALESFORCE_API_VERSION,
            ca_bundle=ca_bundle,
            ca_variable=ca_variable,
        )
        settings.validate()
        return settings

    @property
    def uses_token(self) -> bool:
        return self.access_token is not None

    def validate(self) -> None:
        if self.access_token is not None:
            if not self.instance_url:
                raise ConfigurationError(
                    "SALESFORCE_ACCESS_TOKEN is set but SALESFORCE_INSTANCE_URL is not: "
                    "set it to your org's URL, such as https://yourcompany.my.salesforce.com."
                )
            if not self.instance_url.startswith("https://"):
                raise ConfigurationError(
                    "SALESFORCE_INSTANCE_URL must be an https:// URL, not "
                    f"{masked_url(self.instance_url)!r}."
                )
            return
        if self.username and self.password is not None and self.security_token is not None:
            return
        raise ConfigurationError(
            "Salesforce credentials are missing: set SALESFORCE_INSTANCE_URL and "
            "SALESFORCE_ACCESS_TOKEN, or SALESFORCE_USERNAME, SALESFORCE_PASSWORD and "
            "SALESFORCE_SECURITY_TOKEN."
        )

    def secrets(self) -> tuple[str, ...]:
        found = (self.access_token, self.password, self.security_token)
        in_url = url_password(self.instance_url)
        return tuple(s.reveal() for s in found if s is not None) + ((in_url,) if in_url else ())


@dataclass(frozen=True)
class HubSpotSettings:
    """How to reach one HubSpot account, the client-side rate limits to keep to, and the
    most its search index is taken to lag writes (`search_lookback_seconds`: a record
    written just before a read can be missing from it while later ones are returned, so
    the next read starts that long before the last read began, if that is before its
    cursor; 0 disables the look-back)."""

    access_token: Secret
    base_url: str = DEFAULT_HUBSPOT_BASE_URL
    ca_bundle: str | None = None
    requests_per_10s: int = 100
    searches_per_second: int = 5
    timeout: float = 120.0
    search_lookback_seconds: int = DEFAULT_HUBSPOT_SEARCH_LOOKBACK_SECONDS
    ca_variable: str = "HUBSPOT_CA_BUNDLE"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubSpotSettings:
        env = os.environ if environ is None else environ
        token = _secret(env, "HUBSPOT_ACCESS_TOKEN")
        if token is None:
            raise ConfigurationError(
                "HUBSPOT_ACCESS_TOKEN is not set: create a private app in HubSpot "
                "(Settings > Integrations > Private apps) and export its access token."
            )
        base_url = (_get(env, "HUBSPOT_BASE_URL") or DEFAULT_HUBSPOT_BASE_URL).rstrip("/")
        if not base_url.startswith(("https://", "http://")):
            raise ConfigurationError(
                f"HUBSPOT_BASE_URL must be an http(s) URL, not {masked_url(base_url)!r}."
            )
        if (
            base_url.startswith("http://")
            and not is_loopback(base_url)
            and _get(env, INSECURE_OPT_IN) != "1"
        ):
            raise ConfigurationError(
                f"HUBSPOT_BASE_URL {masked_url(base_url)} is plain http:// to another host, "
                f"which would send the access token unencrypted: use https://, or set "
                f"{INSECURE_OPT_IN}=1 if you really mean it."
            )
        ca_bundle, ca_variable = _ca_file(env, "HUBSPOT_CA_BUNDLE", "REQUESTS_CA_BUNDLE")
        return cls(
            access_token=token,
            base_url=base_url,
            ca_bundle=ca_bundle,
            ca_variable=ca_variable,
            requests_per_10s=_positive_int(env, "HUBSPOT_REQUESTS_PER_10S", 100),
            searches_per_second=_positive_int(env, "HUBSPOT_SEARCHES_PER_SECOND", 5),
            search_lookback_seconds=_non_negative_int(
                env,
                "HUBSPOT_SEARCH_LOOKBACK_SECONDS",
                DEFAULT_HUBSPOT_SEARCH_LOOKBACK_SECONDS,
            ),
        )

    def secrets(self) -> tuple[str, ...]:
        in_url = url_password(self.base_url)
        return (self.access_token.reveal(),) + ((in_url,) if in_url else ())
