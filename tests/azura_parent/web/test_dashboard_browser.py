"""The dashboard in a real headless Chromium (Debian's, driven by Playwright) against a real cluster: the parent
with its dashboard, a child process, the fake Discord (and its OAuth2 consent page) and the fake Lavalink.

One browser and one cluster for the module; each user has their own browser context (their own cookies)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from web_cluster import WebCluster

from azura_common.i18n import text
from azura_common.koe.effects import Effects, lavalink_filters
from azura_common.rules.limits import MAX_VOLUME
from azura_sandbox.fake_discord.world import Channel
from azura_sandbox.fake_lavalink.filters import audible_filters
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

WEB_CLUSTER = {"children": 2, "speed": 1.0}  # real time: the progress bar moves as a listener would see it
# (two children: the parent and one child play the two rooms, the other child is free for a start from the web)
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PLAYLIST = "https://www.youtube.com/playlist?list=PLdashboard"
DJ_ONLY = "Only a DJ (the DJ role or Manage Server) can do that while others listen."
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RADIO = "http://radio.example/live.mp3"
NIGHTCORE = audible_filters(lavalink_filters(Effects(preset="nightcore")))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium (apt-get install chromium)"  # noqa: ASYNC240
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rooms(web: WebCluster) -> tuple[Channel, Channel]:
    """Two channels playing on two bots: alice's on the parent, bob's (a 12-track playlist) on the child."""
    first, second = await web.room("lobby"), await web.room("stage")
    await web.join("alice", first)
    await web.ok("alice", "play", {"query": "parent song"})
    assert await web.wait_bot_in(first) == web.parent_bot_id
    await web.join("bob", second)
    await web.join("carol", second)
    await web.ok("bob", "play", {"query": PLAYLIST})
    kid = await web.wait_bot_in(second)
    assert kid is not None and kid != web.parent_bot_id
    await web.wait_np(kid, second, "#1 of 12")
    return first, second


async def logged_in(browser: Browser, web: WebCluster, who: str, viewport: dict[str, int] = DESKTOP,
                    javascript: bool = True, locale: str = "en-US") -> Page:
    """A new browser context, logged in as ``who`` through the fake Discord's consent page, on the server page."""
    context: BrowserContext = await browser.new_context(viewport=viewport,  # type: ignore[arg-type]
                                                        java_script_enabled=javascript)
    page = await context.new_page()
    page.set_default_timeout(8000)
    await page.goto(web.web_url)
    await page.get_by_role("link", name="Log in with Discord").first.click()
    await page.get_by_label("Log in as").select_option(label=web.user(who).username)
    await page.get_by_role("button", name="Authorize").click()
    await expect(page.get_by_role("heading", name=text("web.your_servers", locale))).to_be_visible()
    await page.get_by_role("link", name=web.sb.guild.name).click()
    await expect(page.get_by_role("heading", name=web.sb.guild.name)).to_be_visible()
    return page


async def test_two_channels_on_two_bots_skip_on_the_childs_card_reaches_discord(
    browser: Browser, web: WebCluster, rooms: tuple[Channel, Channel]
) -> None:
    first, second = rooms
    page = await logged_in(browser, web, "bob")
    parent_card, child_card = page.locator(f"#card-{first.id}"), page.locator(f"#card-{second.id}")
    kid = web.bot_in(second)
    assert kid is not None
    await expect(parent_card).to_contain_text(web.d.world.users[web.parent_bot_id].username)
    await expect(child_card).to_contain_text(web.d.world.users[kid].username)
    await expect(child_card.locator(".queue li")).to_have_count(11)
    before = await child_card.locator(".track .title").inner_text()

    # bob asked for the playlist: his skip is immediate, like /skip
    clicked = time.perf_counter()
    await child_card.get_by_role("button", name="⏭ Skip").click()
    await expect(child_card.locator(".track .title")).not_to_have_text(before)
    card_s = time.perf_counter() - clicked
    await expect(child_card.locator(".status")).to_contain_text("⏭ Skipped")
    np = await web.wait_np(kid, second, "#2 of 12")  # the child's now-playing message in Discord followed
    assert before not in np.content.split("\n")[1]
    print(f"dashboard: skip pressed → card updated over SSE in {card_s * 1000:.0f} ms")

    # live progress: the bar moves without a reload
    bar = child_card.locator("progress.bar")
    first_value = float(await bar.get_attribute("value") or 0)
    await page.wait_for_timeout(1200)
    moved = await bar.evaluate("b => b.value")
    assert moved > first_value + 500, (first_value, moved)

    # add by search, with bob's enqueue mode (fifo): it lands at the end of the queue
    await child_card.get_by_label("Add a song").fill("midnight city")
    await child_card.get_by_role("button", name="Add").click()
    await expect(child_card.locator(".status")).to_contain_text("Queued")
    await expect(child_card.locator(".queue li").last).to_contain_text("bob")
    await expect(child_card.locator(".queue li")).to_have_count(11)  # 10 left of the playlist + the new one

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / "dashboard-desktop.png", full_page=True)
    phone = await logged_in(browser, web, "bob", PHONE)
    await phone.screenshot(path=SCREENSHOTS / "dashboard-phone.png", full_page=True)
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
    await phone.context.close()

    # logging out ends the session: the server page asks to log in again
    await page.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("link", name="Log in with Discord").first).to_be_visible()
    await page.goto(f"{web.web_url}/servers/{web.sb.guild.id}")  # → /login → Discord's consent page again
    assert page.url.startswith(f"{web.sb.discord_api}/oauth2/authorize?"), page.url
    await expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    await page.context.close()


async def test_a_non_dj_is_refused_a_dj_action_with_the_slash_commands_words(
    browser: Browser, web: WebCluster, rooms: tuple[Channel, Channel]
) -> None:
    _, second = rooms
    role = await web.d.create_role(web.sb.guild, "DJ")
    await web.d.give_role(web.sb.guild, web.user("bob"), role)
    await web.run("owner", "server", {"role": role}, sub="dj-role")
    page = await logged_in(browser, web, "carol")  # in bob's channel, not a DJ, and not alone
    card = page.locator(f"#card-{second.id}")
    upcoming = await card.locator(".queue li").count()
    await card.get_by_text("More controls").click()
    await card.get_by_role("button", name="🧹 Clear the queue").click()
    await expect(card.locator(".status")).to_have_text(f"⚠️ {DJ_ONLY}")
    await expect(card.locator(".queue li")).to_have_count(upcoming)  # nothing changed
    await page.context.close()


async def test_what_a_viewer_types_survives_a_live_update_of_the_card(
    browser: Browser, web: WebCluster, rooms: tuple[Channel, Channel]
) -> None:
    _, second = rooms
    page = await logged_in(browser, web, "carol")
    card = page.locator(f"#card-{second.id}")
    await card.get_by_text("More controls").click()
    await card.get_by_label("Volume").fill("85")
    await card.get_by_label("Remove").fill("3-4")
    await web.ok("bob", "pause")  # someone else changes the session: the card is sent again
    await expect(card.locator(".facts")).to_contain_text(text("web.paused_fact", "en"))
    await expect(card.get_by_label("Volume")).to_have_value("85")  # not the live card's 100, not "85100"
    await expect(card.get_by_label("Remove")).to_have_value("3-4")
    await web.ok("bob", "resume")
    await page.context.close()


async def test_without_javascript_the_page_reads_and_its_forms_still_work(
    browser: Browser, web: WebCluster, rooms: tuple[Channel, Channel]
) -> None:
    first, second = rooms
    page = await logged_in(browser, web, "carol", javascript=False)
    await page.keyboard.press("Tab")  # the keyboard's first stop skips the header
    assert await page.evaluate("document.activeElement.textContent") == "Skip to the content"
    card = page.locator(f"#card-{second.id}")
    await expect(page.locator(f"#card-{first.id}")).to_be_visible()
    await expect(card.locator(".queue li").first).to_be_visible()
    await card.get_by_role("button", name="⏸ Pause").click()  # a plain form post, then back to the page
    await expect(page.locator(".flash")).to_have_text("⏸ Paused in stage-2.")
    await expect(card.get_by_role("button", name="▶ Resume")).to_be_visible()
    kid = web.bot_in(second)
    assert kid is not None
    await web.wait_np(kid, second, "Paused")  # the now-playing message in Discord says so too
    await card.get_by_role("button", name="▶ Resume").click()
    await expect(page.locator(".flash")).to_have_text("▶ Resumed in stage-2.")
    await page.context.close()


def heard(web: WebCluster, room: Channel) -> dict[str, Any] | None:
    """The filters the fake Lavalink applies in ``room`` (equalizer bands at gain 0 left out)."""
    found = [p for p in web.sb.lavalink.players_truth() if p["channel_id"] == str(room.id) and p["session_attached"]]
    return audible_filters(found[0]["filters"]) if len(found) == 1 else None


async def test_a_dj_sets_an_effect_and_autoplay_from_the_card_and_a_listener_is_refused_the_effect(
    browser: Browser, web: WebCluster, rooms: tuple[Channel, Channel]
) -> None:
    _, second = rooms
    kid = web.bot_in(second)
    assert kid is not None
    role = await web.d.create_role(web.sb.guild, "Effects DJ")
    await web.d.give_role(web.sb.guild, web.user("bob"), role)
    await web.run("owner", "server", {"role": role}, sub="dj-role")  # bob is a DJ, carol is not

    carol = await logged_in(browser, web, "carol")
    card = carol.locator(f"#card-{second.id}")
    await card.get_by_text("More controls").click()
    await card.get_by_label("Effect", exact=True).select_option("nightcore")
    await card.locator("button[data-action=effects]").first.click()
    await expect(card.locator(".status")).to_have_text(f"⚠️ {DJ_ONLY}")  # effects are a DJ's call, as /effects
    assert heard(web, second) == {}
    await carol.context.close()

    bob = await logged_in(browser, web, "bob")
    card = bob.locator(f"#card-{second.id}")
    await card.get_by_text("More controls").click()
    await card.get_by_label("Effect", exact=True).select_option("nightcore")
    await card.locator("button[data-action=effects]").first.click()
    await expect(card.locator(".status")).to_have_text("🎛️ Effects in stage-2: nightcore.")
    await expect(card.locator(".effects-fact")).to_have_text("Effects: nightcore")
    await eventually(lambda: heard(web, second) == NIGHTCORE, timeout=5, what="Lavalink's nightcore filters")
    await web.wait_np(kid, second, "🎛️ Effects: nightcore")  # the child's now-playing message in Discord shows it

    await card.get_by_role("button", name="🎛️ Clear the effects").click()
    await expect(card.locator(".status")).to_have_text("🎛️ Every effect is off in stage-2.")
    await eventually(lambda: heard(web, second) == {}, timeout=5, what="Lavalink's filters cleared")
    await expect(card.locator(".effects-fact")).to_have_text("No effects")

    await card.get_by_role("button", name="♾ Turn autoplay on").click()
    await expect(card.locator(".status")).to_have_text(text("autoplay.on"))
    await expect(card.locator(".autoplay-fact")).to_have_text("Autoplay on")
    await card.get_by_role("button", name="♾ Turn autoplay off").click()
    await expect(card.locator(".autoplay-fact")).to_have_text("Autoplay off")
    await bob.context.close()
    await web.run("owner", "server", {}, sub="dj-role")  # no DJ role again


async def test_a_german_user_starts_a_live_stream_from_the_web_in_an_empty_channel(
    browser: Browser, web: WebCluster, rooms: tuple[Channel, Channel]
) -> None:
    garden = await web.room("garden")
    await web.join("dave", garden)
    web.d.set_user_locale(web.user("dave"), "de")  # Discord tells the dashboard at login (/users/@me's locale)
    try:
        page = await logged_in(browser, web, "dave", locale="de")
    finally:
        web.d.set_user_locale(web.user("dave"), "en-US")
    assert await page.get_attribute("html", "lang") == "de"
    await expect(page.locator("#live-note")).to_have_text(text("web.you_are_in", "de", channel=garden.name))
    await expect(page.get_by_role("button", name="Abmelden")).to_be_visible()

    # nothing plays in dave's channel yet: adding starts it, as /play does (a free child joins)
    start = page.locator(f"#start-{garden.id}")
    await start.get_by_label("Titel hinzufügen").fill(RADIO)
    await start.get_by_role("button", name="Hinzufügen").click()
    card = page.locator(f"#card-{garden.id}")
    await expect(card).to_be_visible()  # the card arrived over the live feed, no reload
    await expect(start).to_be_hidden()
    kid = await web.wait_bot_in(garden)
    assert kid is not None and kid not in (web.parent_bot_id, web.bot_in(rooms[1]))
    await web.d.wait_for(lambda: any(m.author_id == kid and "🔴 LIVE" in m.content for m in web.d.messages(garden)),
                         6, "the child's now-playing message in the voice channel's chat")
    await expect(card.locator(".live-badge")).to_have_text("🔴 LIVE")  # a stream: no progress bar, no seeking
    assert await card.locator("progress.bar").count() == 0
    shown = await card.locator(".pos").inner_text()
    await expect(card.locator(".pos")).not_to_have_text(shown, timeout=3000)  # its time runs on, live
    await expect(card.locator(".bot")).to_contain_text("gespielt von")
    await expect(card.locator(".requester")).to_have_text("· gewünscht von dave")
    await card.get_by_text("Weitere Steuerung").click()
    assert await card.get_by_label("Spulen").count() == 0

    # an error reads as the slash command's sentence, in German (the catalogue's, via KoeError.text_in)
    await card.get_by_label("Lautstärke").fill("loud")
    await card.locator("button[data-action=volume]").click()
    await expect(card.locator(".status")).to_have_text(
        "⚠️ " + text("rules.not_a_volume", "de", value="'loud'", max=MAX_VOLUME))
    await page.context.close()
