"""Handlers of /effects and /equalizer with a fake interaction and fake sessions: the DJ rule, what each option
does to the session's effects, the exact text read, and that bad options change nothing."""

from __future__ import annotations

import pytest
from command_fakes import DJ_ONLY, FakeInteraction, FakeMember, FakeRole, World, invoke, private_text

from azura_common.koe.effects import NO_EFFECTS, Effects
from azura_parent.commands.effects import EffectsCommands

DJ = FakeRole(77)


class Interaction(FakeInteraction):
    """A fake interaction with the user's Discord locale (what the handlers answer in)."""

    def __init__(self, user: FakeMember, locale: str = "en-US") -> None:
        super().__init__(user)
        self.locale = locale


@pytest.fixture
def fx(world: World) -> EffectsCommands:
    return EffectsCommands(world)


async def test_effects_and_equalizer_need_a_dj_while_others_listen(world: World, fx: EffectsCommands) -> None:
    await world.dj_role(DJ)
    alice = world.member("alice", roles=[DJ], voice=world.room)
    bob = world.member("bob", voice=world.room)
    session = await world.playing(world.room, *world.songs(2))
    assert await private_text(fx.effects, Interaction(bob), preset="nightcore") == DJ_ONLY
    assert await private_text(fx.equalizer, Interaction(bob), preset="rock") == DJ_ONLY
    assert session.effects == NO_EFFECTS and session.calls == []
    await invoke(fx.effects, i := Interaction(alice), preset="nightcore", pitch=1.5)
    assert (i.text, i.private) == (f"🎛️ Effects in <#{world.room.id}>: nightcore · pitch 1.5×.", False)
    assert session.effects == Effects(preset="nightcore", pitch=1.5)


async def test_options_change_only_what_they_name_and_off_clears_all(world: World, fx: EffectsCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(2))
    await invoke(fx.equalizer, Interaction(alice), preset="Electronic")
    await invoke(fx.effects, Interaction(alice), preset="8D")
    await invoke(fx.effects, Interaction(alice), speed=0.75)
    assert session.effects == Effects(preset="8d", equalizer="electronic", speed=0.75)
    await invoke(fx.equalizer, i := Interaction(alice), preset="flat")
    assert i.text == f"🎚️ Equalizer flat (off) in <#{world.room.id}>." and session.effects.equalizer == ""
    await invoke(fx.effects, j := Interaction(alice), preset="reset")
    assert j.text == f"🎛️ Every effect is off in <#{world.room.id}>." and session.effects == NO_EFFECTS


async def test_bad_options_are_refused_in_the_users_language_and_change_nothing(world: World,
                                                                                fx: EffectsCommands) -> None:
    alice = world.member("alice", voice=world.room)
    session = await world.playing(world.room, *world.songs(2))
    await invoke(fx.effects, Interaction(alice), preset="vaporwave")
    session.calls.clear()
    assert await private_text(fx.effects, Interaction(alice, "de"), speed=0.1) == (
        "⚠️ Das Tempo muss zwischen 0.5 und 2 liegen (1 ist unverändert); 0.1 nicht.")
    assert (await private_text(fx.effects, Interaction(alice), preset="chipmunk")).startswith(
        "⚠️ There is no effect called `chipmunk`; choose one of: bassboost, nightcore")
    assert session.effects == Effects(preset="vaporwave") and session.calls == []
    suggested = await fx.effect_suggestions(Interaction(alice), "core")  # type: ignore[arg-type, call-arg]
    assert [c.name for c in suggested] == ["nightcore"]
