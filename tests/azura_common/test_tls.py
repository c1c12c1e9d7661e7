"""TLS settings are read once at start-up: a path or the PEM text, and every bad value named clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from azura_child.config import ChildConfig
from azura_common.config import ConfigError
from azura_common.tls import insecure_links, is_local_address, link_failure_hint, read_link_tls
from azura_parent.config import ParentConfig
from azura_sandbox.certs import Authority, Issued


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("tls-ca"))


@pytest.fixture(scope="module")
def server(ca: Authority) -> Issued:
    return ca.issue("server", names=("127.0.0.1", "localhost"))


def test_pem_from_a_path_or_from_the_text_itself(ca: Authority, server: Issued) -> None:
    by_path = read_link_tls({"AZURA_TLS_CERT": str(server.cert), "AZURA_TLS_KEY": str(server.key),
                             "AZURA_TLS_CA": str(ca.ca)})
    assert by_path.serves_tls and by_path.requires_client_cert and by_path.dials_tls
    assert by_path.cert == server.cert.read_bytes() and by_path.ca == ca.ca_pem
    # PEM text; a secret store that turned the newlines into literal "\n" works too.
    escaped = server.key.read_text().replace("\n", "\\n")
    by_text = read_link_tls({"AZURA_TLS_CERT": server.cert.read_text(), "AZURA_TLS_KEY": escaped})
    assert by_text.serves_tls and not by_text.requires_client_cert
    assert by_text.key is not None and by_text.key.strip() == server.key.read_bytes().strip()
    assert read_link_tls({}).dials_tls is False


def test_a_bad_pem_is_a_config_error_naming_the_variable(tmp_path: Path, ca: Authority, server: Issued) -> None:
    other = ca.issue("other", names=("other",))
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("hello")
    encrypted = tmp_path / "encrypted.key"
    key = serialization.load_pem_private_key(server.key.read_bytes(), password=None)
    encrypted.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.BestAvailableEncryption(b"secret")))
    cases = {
        "AZURA_TLS_CA: cannot read": {"AZURA_TLS_CA": str(tmp_path / "missing.pem")},
        "AZURA_TLS_CERT: .* is not a PEM file": {"AZURA_TLS_CERT": str(not_pem), "AZURA_TLS_KEY": str(server.key)},
        "AZURA_TLS_CERT is set but AZURA_TLS_KEY is not": {"AZURA_TLS_CERT": str(server.cert)},
        "AZURA_TLS_KEY is set but AZURA_TLS_CERT is not": {"AZURA_TLS_KEY": str(server.key)},
        "key belongs to the certificate": {"AZURA_TLS_CERT": str(server.cert), "AZURA_TLS_KEY": str(other.key)},
        "AZURA_TLS_KEY does not hold a PEM private key": {"AZURA_TLS_CERT": str(server.cert),
                                                          "AZURA_TLS_KEY": str(server.cert)},
        "AZURA_TLS_CA does not hold a PEM CA": {"AZURA_TLS_CA": str(server.key)},
        "AZURA_TLS_CA does not load": {"AZURA_TLS_CA": "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                                                       "-----END CERTIFICATE-----"},
        "encrypted with a passphrase": {"AZURA_TLS_CERT": str(server.cert), "AZURA_TLS_KEY": str(encrypted)},
    }
    for message, env in cases.items():
        with pytest.raises(ConfigError, match=message):
            read_link_tls(env)


def test_what_counts_as_staying_on_this_machine() -> None:
    local = ["127.0.0.1:5100", "127.0.0.2:5100", "localhost:5100", "[::1]:5100", "unix:/run/azura/c.sock", "::1"]
    beyond = ["10.0.0.9:5100", "[fdaa::2]:5100", "child:5100", "0.0.0.0", "::", "fly-local-6pn", "192.0.2.2:1"]
    assert all(is_local_address(a) for a in local)
    assert not any(is_local_address(a) for a in beyond)
    assert insecure_links({"AZURA_INSECURE_LINKS": "1"}) and not insecure_links({})
    with pytest.raises(ConfigError, match="AZURA_INSECURE_LINKS must be 1"):
        insecure_links({"AZURA_INSECURE_LINKS": "please"})


def test_plaintext_beyond_loopback_is_refused_at_start_up(ca: Authority, server: Issued) -> None:
    child = {"AZURA_CHILD_TOKEN": "t", "AZURA_CLUSTER_SECRET": "s"}
    assert ChildConfig.from_env({**child, "AZURA_BIND_HOST": "unix:/tmp/c.sock"}).tls.serves_tls is False
    with pytest.raises(ConfigError, match=r"AZURA_BIND_HOST=0\.0\.0\.0 .* AZURA_TLS_CERT .* AZURA_INSECURE_LINKS=1"):
        ChildConfig.from_env({**child, "AZURA_BIND_HOST": "0.0.0.0"})
    allowed = ChildConfig.from_env({**child, "AZURA_BIND_HOST": "0.0.0.0", "AZURA_INSECURE_LINKS": "1"})
    assert allowed.serves_plaintext_beyond_loopback
    served = ChildConfig.from_env({**child, "AZURA_BIND_HOST": "::", "AZURA_TLS_CERT": str(server.cert),
                                   "AZURA_TLS_KEY": str(server.key)})
    assert served.tls.serves_tls and not served.serves_plaintext_beyond_loopback
    with pytest.raises(ConfigError, match="needs its own certificate"):
        ChildConfig.from_env({**child, "AZURA_TLS_CA": str(ca.ca)})

    parent = {"AZURA_PARENT_TOKEN": "t", "AZURA_CLUSTER_SECRET": "s"}
    assert ParentConfig.from_env({**parent, "AZURA_CHILDREN": "127.0.0.1:5100,unix:/tmp/c.sock"}).children
    with pytest.raises(ConfigError, match=r"AZURA_CHILDREN: all:child\.internal:5100 would be dialled in plaintext"):
        ParentConfig.from_env({**parent, "AZURA_CHILDREN": "127.0.0.1:5100,all:child.internal:5100"})
    flagged = ParentConfig.from_env({**parent, "AZURA_CHILDREN": "child:5100", "AZURA_INSECURE_LINKS": "1"})
    assert flagged.plaintext_beyond_loopback == ["child:5100"]
    secured = ParentConfig.from_env({**parent, "AZURA_CHILDREN": "child:5100", "AZURA_TLS_CA": str(ca.ca)})
    assert secured.tls.dials_tls and secured.plaintext_beyond_loopback == []
    with pytest.raises(ConfigError, match="AZURA_DISCOVERY_INTERVAL_S must be more than 0"):
        ParentConfig.from_env({**parent, "AZURA_DISCOVERY_INTERVAL_S": "0"})


def test_a_failed_link_says_what_to_fix_only_when_tls_is_why() -> None:
    """gRPC 1.85's words (UNAVAILABLE details) for each case, as measured against a real server."""
    at = "failed to connect to all addresses; last error: "
    cases = {
        at + "UNKNOWN: ipv4:127.0.0.1:1: Tls handshake failed (TSI_PROTOCOL_FAILURE): SSL_ERROR_SSL: error:1000007d:"
        "SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED: unable to get local issuer certificate: OK":
            "not signed by the CA in AZURA_TLS_CA",
        at + "UNKNOWN: ipv4:127.0.0.1:1: Custom verification check failed with error: UNAUTHENTICATED: Hostname "
        "Verification Check failed.": "does not name 'child.test'",
        at + "UNKNOWN: ipv4:127.0.0.1:1: Tls handshake failed (TSI_PROTOCOL_FAILURE): SSL_ERROR_SSL: error:100000f7:"
        "SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER": "the child does not speak TLS",
        at + "UNAVAILABLE: ipv4:127.0.0.1:1: Socket closed": "wants a client certificate",
    }
    for details, hint in cases.items():
        said = link_failure_hint(details, secure=True, server_name="child.test")
        assert said is not None and hint in said, (details, said)
    plaintext = link_failure_hint(at + "UNAVAILABLE: ipv4:127.0.0.1:1: Socket closed", secure=False, server_name="x")
    assert plaintext is not None and "set AZURA_TLS_CA on the parent" in plaintext
    # A child that dies or restarts is no TLS problem: no advice.
    refused = at + "UNKNOWN: ipv4:127.0.0.1:1: Failed to connect to remote host: connect: Connection refused (111)"
    for details in ("Stream removed (Socket closed)", refused):
        assert link_failure_hint(details, secure=True, server_name="x") is None
        assert link_failure_hint(details, secure=False, server_name="x") is None
