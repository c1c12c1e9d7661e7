"""The fake Discord's replies validate against Discord's published OpenAPI spec.

The spec (``openapi.json`` of github.com/discord/discord-api-spec, MIT) is not in this repository: these tests
read it from ``../shared/specs/discord-openapi.json`` next to the checkout and are skipped only when that file
is absent. The validator itself is tested on a small hand-written spec, always.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from azura_sandbox.fake_discord.objects import Message, User
from azura_sandbox.fake_discord.openapi import SpecValidator, check_replies

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "specs" / "discord-openapi.json"
TOOL = ROOT / "tools" / "check_discord_spec.py"

@pytest.fixture(scope="module")
def discord_spec() -> SpecValidator:
    assert SPEC.is_file(), f"Discord's OpenAPI spec is not at {SPEC}"
    return SpecValidator(json.loads(SPEC.read_text(encoding="utf-8")))


@pytest.mark.slow
async def test_every_reply_of_the_fake_validates_against_the_spec() -> None:
    assert SPEC.is_file(), f"Discord's OpenAPI spec is not at {SPEC}"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(TOOL), str(SPEC), "--json", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    assert proc.returncode == 0, f"{out.decode()}\n{err.decode()}"
    summary = json.loads(out)
    assert summary["mismatches"] == 0 and summary["findings"] == []
    assert summary["unreached"] == []  # every route the fake implements was exercised
    assert summary["routes"] >= 38 and summary["replies"] >= 60  # errors included: 401, 403, 404, 400, 429


def test_the_check_catches_what_the_fake_used_to_get_wrong(discord_spec: SpecValidator) -> None:
    user = User(id=1, username="u").to_json()
    del user["primary_guild"]
    msg = Message(id=2, channel_id=3, guild_id=4, author_id=1, embeds=[{"title": "t"}],
                  components=[{"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "b"}]}])
    body = msg.to_json(User(id=1, username="u"))
    body["embeds"] = [{"title": "t"}]  # no "type"
    body["components"] = msg.components  # echoed without the integer ids
    replies: list[tuple[str, str, int, Any]] = [
        ("GET", "/users/1", 200, user),
        ("GET", "/channels/3/messages/2", 200, body),
        ("POST", "/interactions/5/tok/callback", 200, {"interaction": {"id": "5", "type": 2},
                                                       "resource": {"type": 5, "message": body}}),
        ("GET", "/users/@me", 401, {"message": "401: Unauthorized"}),  # no "code"
    ]
    problems = {f.template: f.problems for f in check_replies(discord_spec, replies)}
    assert problems["/users/{user_id}"] == ["$: missing required field 'primary_guild'"]
    message = problems["/channels/{channel_id}/messages/{message_id}"]
    assert "$.embeds[0]: missing required field 'type'" in message
    assert any(p.startswith("$.components[0]: matches none") for p in message)
    callback = problems["/interactions/{interaction_id}/{interaction_token}/callback"]
    assert any(p.startswith("$.resource: matches none") for p in callback)
    assert problems["/users/@me"] == ["$: missing required field 'code'"]


TINY_SPEC: dict[str, Any] = {
    "paths": {
        "/things/{thing_id}": {"get": {"responses": {
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
            "4XX": {"$ref": "#/components/responses/Error"},
        }}},
        "/things/@me": {"get": {"responses": {"204": {"description": "nothing"}}}},
    },
    "components": {
        "responses": {"Error": {"content": {"application/json": {"schema": {
            "type": "object", "properties": {"code": {"type": "integer"}}, "required": ["code"]}}}}},
        "schemas": {
            "Id": {"type": "string", "pattern": "^[0-9]+$"},
            "Thing": {
                "type": "object",
                "required": ["id", "kind", "tags"],
                "properties": {
                    "id": {"$ref": "#/components/schemas/Id"},
                    "kind": {"oneOf": [{"type": "null"}, {"type": "integer", "enum": [1, 2]}]},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                    "owner": {"allOf": [{"$ref": "#/components/schemas/Id"}]},
                },
            },
        },
    },
}


def test_the_validator_follows_refs_choices_and_bounds() -> None:
    spec = SpecValidator(TINY_SPEC)
    good = {"id": "12", "kind": None, "tags": ["a"], "extra": "fine"}
    bad = {"id": "x1", "kind": 3, "tags": ["a", "b", 3], "owner": 5}
    findings = check_replies(spec, [
        ("GET", "/things/12", 200, good),
        ("GET", "/things/@me", 204, None),  # the literal path wins over the template
        ("GET", "/things/12", 404, {"code": 10004}),
        ("GET", "/things/12", 200, bad),
        ("GET", "/nowhere", 200, {}),
    ])
    by_key = {(f.template, f.status): f for f in findings}
    assert by_key[("/things/@me", 204)].problems == [] and by_key[("/things/{thing_id}", 404)].problems == []
    problems = by_key[("/things/{thing_id}", 200)].problems
    assert by_key[("/things/{thing_id}", 200)].count == 2
    assert "$.id: 'x1' does not match '^[0-9]+$'" in problems
    assert any(p.startswith("$.kind: matches none of 2 oneOf branches") for p in problems)
    assert "$.tags: 3 items > maxItems 2" in problems and "$.tags[2]: expected string, got integer" in problems
    assert "$.owner: expected string, got integer" in problems
    assert by_key[("/nowhere", 200)].problems == ["the spec has no operation GET /nowhere"]
