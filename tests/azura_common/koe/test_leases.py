"""The child's lease book: one promise per guild at a time, dying with its Link or its deadline."""

from __future__ import annotations

from azura_common.koe.link import LeaseBook, close_reason
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb


def test_lease_book_rules() -> None:
    now = [0.0]
    book = LeaseBook(clock=lambda: now[0])
    owner = object()
    assert book.offer("r1", 1, 10, 3000, owner)
    assert not book.offer("r2", 1, 11, 3000, owner)  # one promise per guild at a time
    assert book.offer("r3", 2, 20, 3000, owner)  # other guilds are independent
    assert book.blocks(1, 11) and not book.blocks(1, 10)
    assert not book.claim("r2", 1, 11) and book.claim("r1", 1, 10)
    now[0] = 10.0  # a claim holds longer than an offer
    assert book.blocks(1, 11) and not book.blocks(2, 21)
    book.consume(1, 10)
    assert not book.blocks(1, 11)
    assert book.offer("r4", 1, 12, 3000, owner) and book.drop_owner(owner) == 1 and len(book) == 0


def test_an_offer_expires_and_a_released_lease_frees_the_guild() -> None:
    now = [0.0]
    book = LeaseBook(clock=lambda: now[0])
    assert book.offer("r1", 1, 10, 500, object())
    now[0] = 0.6
    assert not book.blocks(1, 11) and not book.claim("r1", 1, 10)  # too late to claim
    assert book.offer("r2", 1, 11, 500, object())
    book.release("r2", 1)
    assert not book.blocks(1, 12)


def test_close_reasons_on_the_wire() -> None:
    assert close_reason("disconnect requested") == pb.CLOSE_REASON_DISCONNECT
    assert close_reason("kicked from voice") == pb.CLOSE_REASON_KICKED
    assert close_reason("channel deleted") == pb.CLOSE_REASON_CHANNEL_DELETED
    assert close_reason("shutdown") == pb.CLOSE_REASON_SHUTDOWN
    assert close_reason("something new") == pb.CLOSE_REASON_UNSPECIFIED
