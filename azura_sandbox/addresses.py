"""This machine's own addresses, for tests that need a non-loopback address that is really here."""

from __future__ import annotations

import fcntl
import socket
import struct

__all__ = ["non_loopback_ipv4"]

_SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def non_loopback_ipv4() -> str:
    """The first IPv4 address of one of this machine's interfaces that is not loopback (Linux)."""
    for _, name in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                reply = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:  # an interface without an IPv4 address
                continue
        address = socket.inet_ntoa(reply[20:24])
        if not address.startswith("127."):
            return address
    raise LookupError("this machine has no non-loopback IPv4 address")
