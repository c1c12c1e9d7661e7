"""Message components as Discord checks them: action rows, buttons and string select menus in every message a
bot sends or edits are validated like Discord does (``400 Invalid Form Body`` naming the field at fault), and
a user can choose options in a select menu (``choose``: a MESSAGE_COMPONENT interaction with ``values``).

The limits are those of Discord's published OpenAPI spec (``StringSelectComponentForMessageRequest``,
``StringSelectOptionForRequest``, ``ButtonComponentForMessageRequest``); a test compares them with the spec.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .core import Ref, SandboxError, rid
from .invoking import InteractionDriver, InteractionResult
from .objects import JSON
from .replies import bad_request

__all__ = ["LIMITS", "ComponentDriver", "check_components", "component_errors"]

ACTION_ROW, BUTTON, STRING_SELECT = 1, 2, 3
LIMITS = {
    "rows": 5,  # action rows in a message
    "row_items": 5,  # buttons in a row (a select menu takes a row alone)
    "custom_id": 100,
    "button_label": 80,
    "placeholder": 150,
    "options": 25,
    "option_label": 100,
    "option_value": 100,
    "option_description": 100,
    "values": 25,  # min_values ≤ max_values ≤ this
}

Problem = tuple[tuple[str, ...], str, str]  # (path of the field, Discord's error code, its message)


def _text(value: Any, path: tuple[str, ...], longest: int, *, required: bool = True) -> Iterator[Problem]:
    if value is None:
        if required:
            yield path, "BASE_TYPE_REQUIRED", "This field is required"
        return
    if not isinstance(value, str):
        yield path, "BASE_TYPE_STRING", "Must be a string."
    elif not (1 if required else 0) <= len(value) <= longest:
        yield path, "BASE_TYPE_BAD_LENGTH", f"Must be between {1 if required else 0} and {longest} in length."


def _count(value: Any, path: tuple[str, ...], low: int, high: int) -> Iterator[Problem]:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high):
        yield path, "NUMBER_TYPE_MAX", f"Must be an integer between {low} and {high}."


def _select(menu: JSON, path: tuple[str, ...]) -> Iterator[Problem]:
    yield from _text(menu.get("custom_id"), (*path, "custom_id"), LIMITS["custom_id"])
    yield from _text(menu.get("placeholder"), (*path, "placeholder"), LIMITS["placeholder"], required=False)
    options = menu.get("options")
    if not isinstance(options, list) or not 1 <= len(options) <= LIMITS["options"]:
        yield (*path, "options"), "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {LIMITS['options']} in length."
        options = options if isinstance(options, list) else []
    values: set[str] = set()
    for index, option in enumerate(options):
        where = (*path, "options", str(index))
        if not isinstance(option, dict):
            yield where, "DICT_TYPE_CONVERT", "Only dictionaries may be used."
            continue
        yield from _text(option.get("label"), (*where, "label"), LIMITS["option_label"])
        yield from _text(option.get("value"), (*where, "value"), LIMITS["option_value"])
        yield from _text(option.get("description"), (*where, "description"), LIMITS["option_description"],
                         required=False)
        if option.get("value") in values:
            yield (*where, "value"), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "Option values must be unique."
        values.add(str(option.get("value")))
    low, high = menu.get("min_values"), menu.get("max_values")
    yield from _count(low, (*path, "min_values"), 0, LIMITS["values"])
    yield from _count(high, (*path, "max_values"), 1, LIMITS["values"])
    low = low if isinstance(low, int) else 1
    high = high if isinstance(high, int) else 1
    if low > high:
        yield (*path, "min_values"), "SELECT_COMPONENT_MIN_VALUES_TOO_HIGH", "min_values must not exceed max_values."
    if options and high > len(options):
        yield (*path, "max_values"), "SELECT_COMPONENT_MAX_VALUES_TOO_HIGH", \
            "max_values must not exceed the number of options."


def _problems(components: Any) -> Iterator[Problem]:
    if not isinstance(components, list):
        yield (), "LIST_TYPE_CONVERT", "Must be an array."
        return
    if len(components) > LIMITS["rows"]:
        yield (), "BASE_TYPE_BAD_LENGTH", f"Must be between 0 and {LIMITS['rows']} in length."
    custom_ids: set[str] = set()
    for r, row in enumerate(components):
        if not isinstance(row, dict) or row.get("type") != ACTION_ROW:
            continue  # other top-level components (layout components) are not modelled
        items = row.get("components")
        if not isinstance(items, list) or not 1 <= len(items) <= LIMITS["row_items"]:
            yield (str(r), "components"), "BASE_TYPE_BAD_LENGTH", \
                f"Must be between 1 and {LIMITS['row_items']} in length."
            continue
        for i, item in enumerate(items):
            path = (str(r), "components", str(i))
            kind = item.get("type") if isinstance(item, dict) else None
            if kind == STRING_SELECT:
                if len(items) > 1:
                    yield path, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select menu must be alone in its action row."
                yield from _select(item, path)
            elif kind == BUTTON:
                if item.get("style") != 5:  # a link button has a url, not a custom_id
                    yield from _text(item.get("custom_id"), (*path, "custom_id"), LIMITS["custom_id"])
                yield from _text(item.get("label"), (*path, "label"), LIMITS["button_label"], required=False)
            custom_id = item.get("custom_id") if isinstance(item, dict) else None
            if isinstance(custom_id, str):
                if custom_id in custom_ids:
                    yield (*path, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", \
                        "Component custom id cannot be duplicated"
                custom_ids.add(custom_id)


def component_errors(components: Any) -> JSON:
    """Discord's nested ``errors`` for ``components`` (``{"0": {"components": {"0": {"options": …}}}}``);
    empty when they are valid."""
    errors: JSON = {}
    for path, code, message in _problems(components):
        node = errors
        for key in path:
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return errors


def check_components(body: JSON) -> None:
    """Refuse a message body whose components Discord would refuse (400 Invalid Form Body)."""
    if body.get("components") is None:
        return
    errors = component_errors(body["components"])
    if errors:
        raise bad_request("Invalid Form Body", {"components": errors})


class ComponentDriver(InteractionDriver):
    """A user choosing in a select menu, mixed into ``FakeDiscord``."""

    async def choose(self, user: Ref, message_id: Ref, custom_id: str, values: list[str],
                     timeout_s: float = 5.0, wait_followups: int = 0) -> InteractionResult:
        """``user`` picks ``values`` in the select menu ``custom_id`` of a message and the bot gets the
        interaction (type 3, component_type 3, ``values``). Discord's client offers only the menu's options,
        between its min_values and max_values: anything else is refused here (SandboxError)."""
        msg = self.world.messages.get(rid(message_id))
        menu = msg.find_component(custom_id) if msg is not None else None
        if menu is None or menu.get("type") != STRING_SELECT:
            raise SandboxError(f"message {rid(message_id)} has no select menu {custom_id!r}")
        offered = [str(option.get("value")) for option in menu.get("options") or []]
        strangers = [value for value in values if value not in offered]
        if strangers:
            raise SandboxError(f"{strangers} are not options of {custom_id!r} (it offers {offered})")
        low, high = int(menu.get("min_values", 1) or 0), int(menu.get("max_values", 1) or 1)
        if len(set(values)) != len(values) or not low <= len(values) <= high:
            raise SandboxError(f"{custom_id!r} takes {low} to {high} different options, not {values}")
        return await self.click(user, message_id, custom_id, values=list(values), timeout_s=timeout_s,
                                wait_followups=wait_followups)
