"""How parent and children protect their gRPC link: TLS material from the environment, and the plaintext rule.

- ``AZURA_TLS_CERT`` / ``AZURA_TLS_KEY``: a child's server certificate; on the parent, the client certificate
  it presents (mTLS). ``AZURA_TLS_CA``: on the parent, the CA the children's certificates must chain to (it
  turns TLS on for the parent's channels); on a child, the CA client certificates must chain to (it makes the
  child require one: mTLS). Each value is a PEM file path, or the PEM text itself when it starts with
  ``-----BEGIN`` (platforms that only have environment variables for secrets).
- ``AZURA_TLS_SERVER_NAME``: the name the parent checks in the children's certificates instead of the host it
  dials (a child dialled by IP, with a certificate that names the service).
- Plaintext is refused beyond this machine: the parent does not dial, and a child does not serve, plaintext
  gRPC on anything but a loopback address or a Unix socket, unless ``AZURA_INSECURE_LINKS=1`` says the network
  is private enough (then it is logged as a WARNING). Without TLS the cluster secret crosses the wire in clear.

Everything is read and checked once at start-up, so a missing, unreadable or malformed PEM is a ``ConfigError``
naming the variable, not a failed handshake later. The grpc credentials themselves are built where grpc may be
imported (``koe/remote.py`` for the parent's channels, ``azura_child/app.py`` for the child's server).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import ConfigError

__all__ = [
    "INSECURE_VARIABLE",
    "LinkTls",
    "address_host",
    "insecure_links",
    "is_local_address",
    "is_loopback_host",
    "link_failure_hint",
    "read_link_tls",
    "warn_plaintext",
]

log = logging.getLogger(__name__)

INSECURE_VARIABLE = "AZURA_INSECURE_LINKS"
_PEM_START = "-----BEGIN"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class LinkTls:
    """The TLS material of one process, as PEM bytes (what grpc takes)."""

    cert: bytes | None = None
    key: bytes | None = None
    ca: bytes | None = None
    server_name: str | None = None  # AZURA_TLS_SERVER_NAME

    @property
    def serves_tls(self) -> bool:
        """A child with a certificate serves TLS."""
        return self.cert is not None and self.key is not None

    @property
    def requires_client_cert(self) -> bool:
        """A child serving TLS with a CA asks every caller for a certificate signed by it (mTLS)."""
        return self.serves_tls and self.ca is not None

    @property
    def dials_tls(self) -> bool:
        """The parent dials TLS when it has a CA to trust (or a client certificate to present)."""
        return self.ca is not None or self.serves_tls


def _read_pem(env: Mapping[str, str], variable: str) -> bytes | None:
    value = env.get(variable, "").strip()
    if not value:
        return None
    if value.startswith(_PEM_START):
        # Platforms' secret stores often turn the newlines of a pasted PEM into literal "\n".
        return value.replace("\\n", "\n").encode() + b"\n"
    try:
        data = Path(value).read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{variable}: cannot read {value!r} ({exc.strerror}); give a PEM file's path or the PEM text itself"
        ) from None
    if _PEM_START.encode() not in data:
        raise ConfigError(f"{variable}: {value!r} is not a PEM file (no '-----BEGIN' line)")
    return data


def _no_password() -> bytes:
    raise ConfigError("AZURA_TLS_KEY is encrypted with a passphrase; gRPC needs the key unencrypted")


def _check_pair(cert: bytes, key: bytes) -> None:
    """The certificate and key load together (so grpc will accept them), checked with the standard library.

    ``ssl`` loads a certificate chain only from files: PEM text given in the environment is written to a
    private temporary directory for the check and removed at once."""
    if b"CERTIFICATE-----" not in cert:
        raise ConfigError("AZURA_TLS_CERT does not hold a PEM certificate ('-----BEGIN CERTIFICATE-----')")
    if b"PRIVATE KEY-----" not in key:
        raise ConfigError("AZURA_TLS_KEY does not hold a PEM private key ('-----BEGIN ... PRIVATE KEY-----')")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory(prefix="azura-tls-") as folder:
        cert_path, key_path = Path(folder, "cert.pem"), Path(folder, "key.pem")
        for path, data in ((cert_path, cert), (key_path, key)):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                out.write(data)
        try:
            context.load_cert_chain(cert_path, key_path, password=_no_password)
        except ssl.SSLError as exc:
            raise ConfigError(
                "AZURA_TLS_CERT / AZURA_TLS_KEY do not load as a certificate and its private key "
                f"({exc.reason or exc}); check that both are PEM and that the key belongs to the certificate"
            ) from None


def _check_ca(ca: bytes) -> None:
    if b"CERTIFICATE-----" not in ca:
        raise ConfigError("AZURA_TLS_CA does not hold a PEM CA certificate ('-----BEGIN CERTIFICATE-----')")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=ca.decode("ascii", errors="replace"))
    except ssl.SSLError as exc:
        raise ConfigError(f"AZURA_TLS_CA does not load as a PEM CA certificate ({exc.reason or exc})") from None


def read_link_tls(env: Mapping[str, str]) -> LinkTls:
    """``AZURA_TLS_CERT`` / ``AZURA_TLS_KEY`` / ``AZURA_TLS_CA`` / ``AZURA_TLS_SERVER_NAME``, read and checked."""
    cert = _read_pem(env, "AZURA_TLS_CERT")
    key = _read_pem(env, "AZURA_TLS_KEY")
    ca = _read_pem(env, "AZURA_TLS_CA")
    if (cert is None) != (key is None):
        given, missing = ("AZURA_TLS_CERT", "AZURA_TLS_KEY")
        if cert is None:
            given, missing = missing, given
        raise ConfigError(f"{given} is set but {missing} is not: a certificate needs its private key and the reverse")
    if cert is not None and key is not None:
        _check_pair(cert, key)
    if ca is not None:
        _check_ca(ca)
    server_name = env.get("AZURA_TLS_SERVER_NAME", "").strip() or None
    return LinkTls(cert=cert, key=key, ca=ca, server_name=server_name)


def insecure_links(env: Mapping[str, str]) -> bool:
    """``AZURA_INSECURE_LINKS=1``: the operator allows plaintext gRPC beyond loopback."""
    text = env.get(INSECURE_VARIABLE, "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{INSECURE_VARIABLE} must be 1 (allow plaintext gRPC between hosts) or 0, not {text!r}")


def address_host(address: str) -> str | None:
    """The host of a gRPC address: ``host:port``, ``[v6]:port`` or a bare host; None for a Unix socket."""
    if address.startswith(("unix:", "unix-abstract:")):
        return None
    host = address
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.rpartition(":")[0]
    return host


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback IP literal (127.0.0.0/8, ::1). Any other name may resolve anywhere."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_local_address(address: str) -> bool:
    """Whether plaintext to/on ``address`` stays on this machine: a Unix socket or a loopback host."""
    host = address_host(address)
    return host is None or is_loopback_host(host)


def warn_plaintext(what: str) -> None:
    """The one WARNING a process logs when ``AZURA_INSECURE_LINKS=1`` lets it use plaintext beyond loopback."""
    log.warning(
        "%s=1: %s in plaintext: the cluster secret and every command cross the network unencrypted "
        "(set AZURA_TLS_CERT/AZURA_TLS_KEY on the children and AZURA_TLS_CA on the parent to encrypt them)",
        INSECURE_VARIABLE, what,
    )


def link_failure_hint(details: str, *, secure: bool, server_name: str) -> str | None:
    """What to fix when the parent cannot link to a child because of TLS, from gRPC's words for the failure.

    gRPC reports every failed connection as UNAVAILABLE; only the text tells a certificate problem apart, so
    this reads the markers BoringSSL and gRPC's hostname check put there. None: not (recognisably) TLS."""
    if "CERTIFICATE_VERIFY_FAILED" in details:
        return "the child's certificate is not signed by the CA in AZURA_TLS_CA (wrong CA, or wrong certificate)"
    if "Hostname Verification" in details:
        return (f"the child's certificate does not name {server_name!r}: give it that name (a SAN), or set "
                "AZURA_TLS_SERVER_NAME on the parent to a name it carries")
    if "WRONG_VERSION_NUMBER" in details:
        return ("the child does not speak TLS: give it AZURA_TLS_CERT and AZURA_TLS_KEY, or unset AZURA_TLS_CA "
                "on the parent")
    # A connection closed while connecting (not an open stream that broke: "Stream removed") is the peer
    # hanging up in the handshake.
    closed_at_connect = "failed to connect" in details and "Socket closed" in details
    if closed_at_connect and secure:
        return ("the child closed the connection during the TLS handshake: under mTLS (AZURA_TLS_CA on the child) "
                "it wants a client certificate its CA signed, so set AZURA_TLS_CERT and AZURA_TLS_KEY on the parent")
    if closed_at_connect:
        return "the child closed a plaintext connection: if it serves TLS, set AZURA_TLS_CA on the parent"
    return None
