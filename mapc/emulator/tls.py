"""A throwaway certificate authority so simple-salesforce's https:// URLs can be trusted."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import trustme


def make_tls(directory: Path) -> tuple[ssl.SSLContext, Path, Path]:
    """A server context for 127.0.0.1/localhost, the CA's PEM, and a bundle with both.

    The bundle adds the emulator's CA to the system's, so that pointing REQUESTS_CA_BUNDLE at
    it (which requests lets override even a session's own `verify`) breaks no real host.
    """
    ca = trustme.CA(organization_name="mapc emulator CA")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_path = directory / "emulator-ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    bundle_path = directory / "ca-bundle.pem"
    bundle_path.write_bytes(_system_bundle() + b"\n" + ca.cert_pem.bytes())
    return context, ca_path, bundle_path


def _system_bundle() -> bytes:
    paths = [os.environ.get("SSL_CERT_FILE"), ssl.get_default_verify_paths().cafile]
    try:
        import certifi

        paths.append(certifi.where())
    except ImportError:  # pragma: no cover - requests always brings certifi
        pass
    for path in paths:
        if path and Path(path).is_file():
            return Path(path).read_bytes()
    return b""
