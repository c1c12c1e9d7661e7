"""Discord-shaped replies and request parsing shared by the REST and interaction routes."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .objects import JSON

__all__ = [
    "RATELIMIT_HEADERS",
    "ApiError",
    "bad_request",
    "field_error",
    "invalid_field",
    "json_response",
    "missing_access",
    "missing_permissions",
    "no_content",
    "read_object",
    "read_objects",
    "snowflake_param",
    "unauthorized",
    "unknown",
]


# The rate limiter's headers for this request, for a handler that writes its reply itself (``prepare()``).
RATELIMIT_HEADERS = web.RequestKey("ratelimit_headers", dict[str, str])


class ApiError(Exception):
    """A Discord-shaped JSON error reply: ``{"message", "code"[, "errors"]}``."""

    def __init__(self, status: int, message: str, code: int = 0, errors: JSON | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.errors = errors

    def to_response(self) -> web.Response:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(body, status=self.status)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def no_content() -> web.Response:
    return web.Response(status=204)


def unknown(what: str, code: int) -> ApiError:
    return ApiError(404, f"Unknown {what}", code)


def unauthorized() -> ApiError:
    return ApiError(401, "401: Unauthorized", 0)


def missing_access() -> ApiError:
    return ApiError(403, "Missing Access", 50001)


def missing_permissions() -> ApiError:
    return ApiError(403, "Missing Permissions", 50013)


def field_error(name: str, code: str, message: str) -> JSON:
    """One field's entry in ``errors``, as Discord nests it."""
    return {name: {"_errors": [{"code": code, "message": message}]}}


def bad_request(message: str, errors: JSON | None = None) -> ApiError:
    return ApiError(400, message, 50035, errors if errors is not None else {})


def invalid_field(name: str, code: str, message: str) -> ApiError:
    """400 Invalid Form Body naming the field at fault."""
    return bad_request("Invalid Form Body", field_error(name, code, message))


def snowflake_param(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    try:
        return int(raw)
    except ValueError:
        raise invalid_field(name, "NUMBER_TYPE_COERCE", "Value is not snowflake.") from None


async def read_object(request: web.Request) -> JSON:
    """The JSON object of a request (``payload_json`` of a multipart one); ``{}`` for an empty body."""
    try:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            raw = form.get("payload_json")
            if raw is None:
                return {}
            data = json.loads(raw if isinstance(raw, str | bytes | bytearray) else raw.file.read())
        else:
            text = await request.text()
            if not text.strip():
                return {}
            data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Invalid Form Body") from None
    if not isinstance(data, dict):
        raise bad_request("Invalid Form Body")
    return data


async def read_objects(request: web.Request) -> list[JSON]:
    """A request body that must be a JSON array of objects."""
    try:
        text = await request.text()
        data = json.loads(text) if text.strip() else []
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Invalid Form Body") from None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise bad_request("Invalid Form Body")
    return data
