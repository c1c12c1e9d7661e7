"""The parent's token-index book: no index is ever handed to two children, a restarted parent learns the map
from its children's Hellos before handing out a free one."""

from __future__ import annotations

from azura_common.koe.link.tokens import TokenBook, TokenDecision, TokenOutcome

A, B, C, D = "child-a:5100", "child-b:5101", "child-c:5102", "child-d:5103"


def book_of(*links: str, settle_s: float = 5.0, release_after_s: float = 30.0) -> tuple[TokenBook, list[float]]:
    now = [0.0]
    book = TokenBook(settle_s=settle_s, release_after_s=release_after_s, clock=lambda: now[0])
    for link in links:
        book.expect(link)
    return book, now


def assigned(index: int) -> TokenDecision:
    return TokenDecision(TokenOutcome.ASSIGNED, index)


def test_children_with_no_index_get_the_lowest_free_ones_in_turn() -> None:
    book, _ = book_of(A, B, C)
    assert book.hello(A, 0, fixed=False, token_count=3).outcome is TokenOutcome.WAIT  # B and C unheard yet
    assert book.hello(B, 0, fixed=False, token_count=3) == TokenDecision(
        TokenOutcome.WAIT, detail=f"waiting to hear what {C} hold")
    book.unreachable(C)  # C's first attempt failed: nothing to wait for any more
    assert book.request(A, 3) == assigned(1)
    assert book.request(B, 3) == assigned(2)  # A's promise is held although A has not confirmed it
    assert book.request(A, 3) == assigned(1)  # asking again gets the same promise, not another index
    assert book.hello(A, 1, fixed=False, token_count=3) == TokenDecision(TokenOutcome.HOLDS, 1)
    assert book.holders() == {1: A, 2: B}


def test_a_restarted_parent_learns_the_map_before_handing_out_an_index() -> None:
    book, _ = book_of(A, B, C, D)
    # A new child (D) asks first; the children that hold 1..3 have not said Hello to this parent yet.
    assert book.hello(D, 0, fixed=False, token_count=4).outcome is TokenOutcome.WAIT
    for link, index in ((B, 2), (A, 1), (C, 3)):
        assert book.hello(link, index, fixed=False, token_count=4) == TokenDecision(TokenOutcome.HOLDS, index)
    assert book.request(D, 4) == assigned(4)  # not 1, which A holds
    assert book.holders() == {1: A, 2: B, 3: C, 4: D}


def test_settling_ends_after_settle_s_even_if_a_link_never_answers() -> None:
    book, now = book_of(A, B, settle_s=5.0)
    assert book.hello(A, 0, fixed=False, token_count=2).outcome is TokenOutcome.WAIT
    now[0] = 5.0
    assert book.settled and book.request(A, 2) == assigned(1)


def test_more_children_than_tokens_the_extra_one_waits_until_one_is_free() -> None:
    book, now = book_of(A, B, C, release_after_s=30.0)
    book.hello(A, 0, fixed=False, token_count=2)
    book.hello(B, 0, fixed=False, token_count=2)
    assert book.hello(C, 0, fixed=False, token_count=2) == assigned(1)  # the last one heard settles the book
    assert book.request(A, 2) == assigned(2)
    waiting = book.request(B, 2)
    assert waiting.outcome is TokenOutcome.WAIT and waiting.detail.startswith("no free token: AZURA_CHILD_TOKENS has 2")
    book.hello(A, 2, fixed=False, token_count=2)
    book.down(A)  # A's Link broke: it may come back holding 2, so 2 stays held for a while
    now[0] = 29.0
    assert book.request(B, 2).outcome is TokenOutcome.WAIT
    now[0] = 30.0  # gone for good
    assert book.request(B, 2) == assigned(2)
    # A was only cut off and comes back holding 2: the first holder (B now) keeps it; A is told.
    dup = book.hello(A, 2, fixed=False, token_count=2)
    assert dup.outcome is TokenOutcome.DUPLICATE and B in dup.detail and not dup.may_play


def test_two_children_with_the_same_fixed_index_the_second_gets_no_sessions() -> None:
    book, _ = book_of(A, B)
    assert book.hello(A, 2, fixed=True, token_count=3).may_play
    dup = book.hello(B, 2, fixed=True, token_count=3)
    assert dup == TokenDecision(TokenOutcome.DUPLICATE, 2, f"token index 2 (fixed) is held by {A}")
    assert book.holders() == {2: A}
    book.forget(A)  # A's address left the configuration
    assert book.hello(B, 2, fixed=True, token_count=3).may_play and book.holders() == {2: B}


def test_a_child_that_restarts_without_its_index_gives_it_back() -> None:
    book, _ = book_of(A, B)
    book.hello(A, 1, fixed=False, token_count=3)
    book.hello(B, 2, fixed=False, token_count=3)
    # A restarted (a new process holds nothing): its 1 is free again, and it is the lowest.
    assert book.hello(A, 0, fixed=False, token_count=3) == assigned(1)
    # B restarted with its own token: B holds no index any more, and nobody is given one twice.
    assert book.hello(B, 0, fixed=True, token_count=3) == TokenDecision(TokenOutcome.OWN_TOKEN)
    assert book.holders() == {1: A}
    assert book.hello(C, 0, fixed=False, token_count=3) == assigned(2)


def test_an_index_beyond_the_child_s_own_token_count_is_never_assigned() -> None:
    book, _ = book_of(A, B)
    assert book.hello(A, 0, fixed=False, token_count=1).outcome is TokenOutcome.WAIT  # B not heard yet
    assert book.hello(B, 0, fixed=False, token_count=1) == assigned(1)
    assert book.request(A, 1).detail.startswith("no free token: AZURA_CHILD_TOKENS has 1")
    assert book.request(A, 3) == assigned(2)  # a child with more tokens may get a higher index
