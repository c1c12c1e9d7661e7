"""Log lines say which guild and channel they are about, as text or as one JSON object per line."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from azura_common import logcontext


@pytest.fixture
def lines() -> Iterator[tuple[logging.Logger, io.StringIO, io.StringIO]]:
    """A logger writing both formats, as configure_logging sets them up."""
    logger = logging.getLogger("azura.test.logcontext")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    as_json, as_text = io.StringIO(), io.StringIO()
    handlers = []
    for stream, formatter in ((as_json, logcontext.JsonFormatter()), (as_text, logcontext.TextFormatter())):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        handler.addFilter(logcontext.ContextFilter())
        logger.addHandler(handler)
        handlers.append(handler)
    yield logger, as_json, as_text
    for handler in handlers:
        logger.removeHandler(handler)


def parsed(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_inside_a_bound_block_carries_its_guild_and_channel(
    lines: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    log, as_json, as_text = lines
    log.info("before")
    with logcontext.bound(guild_id=500, channel_id=601):
        log.warning("skipping %d", 2)
        with logcontext.bound(bot="kid-1"):
            log.info("inner")
    log.info("after")
    before, inside, inner, after = parsed(as_json)
    assert set(inside) == {"time", "level", "logger", "message", "guild_id", "channel_id", "bot"}
    assert (inside["level"], inside["logger"], inside["message"]) == ("WARNING", "azura.test.logcontext", "skipping 2")
    assert (inside["guild_id"], inside["channel_id"], inside["bot"]) == (500, 601, None)
    assert (inner["guild_id"], inner["channel_id"], inner["bot"]) == (500, 601, "kid-1")
    assert before["guild_id"] is None and after["guild_id"] is None and after["channel_id"] is None
    text = as_text.getvalue().splitlines()
    assert text[1].endswith("WARNING azura.test.logcontext [guild=500 channel=601]: skipping 2")
    assert text[0].endswith("INFO azura.test.logcontext: before")


def test_an_exception_travels_in_its_own_field(lines: tuple[logging.Logger, io.StringIO, io.StringIO]) -> None:
    log, as_json, _ = lines
    try:
        raise ValueError("the queue is \"odd\"\nacross lines")
    except ValueError:
        log.exception("handling failed")
    (line,) = parsed(as_json)  # one line, whatever the message and traceback hold
    assert line["message"] == "handling failed"
    assert isinstance(line["exception"], str) and 'ValueError: the queue is "odd"' in line["exception"]


async def test_tasks_started_inside_keep_the_context_and_others_do_not_see_it(
    lines: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    log, as_json, _ = lines

    async def handle(guild_id: int, ready: asyncio.Event, go: asyncio.Event) -> None:
        with logcontext.bound(guild_id=guild_id):
            ready.set()
            await go.wait()  # the other handler runs meanwhile, in its own context
            await asyncio.create_task(asyncio.sleep(0))
            log.info("done %d", guild_id)

    go = asyncio.Event()
    first, second = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(handle(1, first, go)), asyncio.create_task(handle(2, second, go))]
    await first.wait()
    await second.wait()
    go.set()
    await asyncio.gather(*tasks)
    assert sorted((line["message"], line["guild_id"]) for line in parsed(as_json)) == [("done 1", 1), ("done 2", 2)]


def test_an_unknown_field_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="user_id"), logcontext.bound(user_id=5):
        pass


def test_an_rpc_request_binds_the_guild_and_channel_it_addresses() -> None:
    class Request:
        guild_id, channel_id = 7, 8

    with logcontext.about(Request()):
        assert logcontext.current() == {"guild_id": 7, "channel_id": 8}
    with logcontext.about(object()):
        assert logcontext.current() == {}

    class ForOneBot:  # a multi-bot child's requests name the bot too
        guild_id, channel_id, bot_id = 7, 8, 9001

    with logcontext.about(ForOneBot()):
        assert logcontext.current() == {"guild_id": 7, "channel_id": 8, "bot": 9001}
