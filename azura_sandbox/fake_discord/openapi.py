"""Checking a reply against Discord's published OpenAPI spec (``discord/discord-api-spec``). Pure: no I/O.

A small JSON Schema validator for the keywords the spec uses ($ref, type, properties, required,
additionalProperties, items, oneOf/anyOf/allOf, enum/const, pattern, bounds), and the lookup from a concrete
request (``GET /channels/123/messages/456``) to the spec's operation and the schema of the reply it gave.
A reply "validates" when its required fields are present with the right types; extra fields are fine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ERRATA", "Finding", "Operation", "SpecValidator", "check_replies"]

JSON = dict[str, Any]

# Where Discord's own documentation contradicts its spec, the fake follows what Discord sends.
ERRATA: dict[str, tuple[str, JSON]] = {
    # docs "Example JSON Error Response": {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "…"}]};
    # the spec reuses the top-level Error object there, whose code is an integer.
    "InnerErrors": (
        "field errors carry string codes such as BASE_TYPE_REQUIRED (Discord's docs, 'Example JSON Error Response')",
        {
            "type": "object",
            "properties": {
                "_errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                        "required": ["code", "message"],
                    },
                }
            },
            "required": ["_errors"],
        },
    ),
}

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
}


def _type_ok(name: str, value: Any) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES.get(name, (object,)))


def _kind(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _type_ok(name, value):
            return name
    return type(value).__name__


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: its path template and what it may answer."""

    method: str
    template: str
    spec: JSON

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", f"{self.method} {self.template}"))


class SpecValidator:
    """Validates JSON replies against one loaded spec document."""

    def __init__(self, spec: JSON, *, errata: bool = True) -> None:
        self.spec = spec
        self._schemas: JSON = dict(spec.get("components", {}).get("schemas", {}))
        if errata:
            for name, (_, schema) in ERRATA.items():
                if name in self._schemas:
                    self._schemas[name] = schema
        self._templates = [(t, t.strip("/").split("/")) for t in spec.get("paths", {})]

    # ---- operations ---------------------------------------------------------------------------------

    def operation(self, method: str, path: str) -> Operation | None:
        """The spec operation for a concrete request path (without ``/api/v10``), or ``None``."""
        parts = path.strip("/").split("/")
        best: tuple[int, str] | None = None
        for template, pattern in self._templates:
            if len(pattern) != len(parts) or method.lower() not in self.spec["paths"][template]:
                continue
            literal = 0
            for want, got in zip(pattern, parts, strict=True):
                if want.startswith("{"):
                    continue
                if want != got:
                    break
                literal += 1
            else:
                if best is None or literal > best[0]:
                    best = (literal, template)
        if best is None:
            return None
        return Operation(method.upper(), best[1], self.spec["paths"][best[1]][method.lower()])

    def reply_schema(self, operation: Operation, status: int) -> JSON | None:
        """The JSON schema of the reply with *status* (exact code, then ``4XX``/``5XX``, then ``default``)."""
        responses: JSON = operation.spec.get("responses", {})
        reply = responses.get(str(status)) or responses.get(f"{status // 100}XX") or responses.get("default")
        if reply is None:
            return None
        reply = self._deref(reply)
        content = reply.get("content") or {}
        media = content.get("application/json")
        return None if media is None else media.get("schema")

    def documented_statuses(self, operation: Operation) -> list[str]:
        return sorted(operation.spec.get("responses", {}))

    # ---- schemas ------------------------------------------------------------------------------------

    def _deref(self, node: JSON) -> JSON:
        seen = 0
        while "$ref" in node:
            ref = str(node["$ref"])
            if not ref.startswith("#/components/"):
                raise ValueError(f"unsupported $ref {ref}")
            section, _, name = ref.removeprefix("#/components/").partition("/")
            target = self._schemas.get(name) if section == "schemas" else None
            if target is None:
                target = self.spec["components"][section][name]
            node = target
            seen += 1
            if seen > 50:
                raise ValueError(f"$ref loop at {ref}")
        return node

    def validate(self, schema: JSON, value: Any, where: str = "$") -> list[str]:
        """Every mismatch of *value* against *schema*, as ``path: what`` lines (empty when it validates)."""
        return list(self._check(schema, value, where))

    def _check(self, schema: JSON, value: Any, where: str) -> Iterator[str]:
        schema = self._deref(schema)
        if "allOf" in schema:
            for sub in schema["allOf"]:
                yield from self._check(sub, value, where)
        if "oneOf" in schema or "anyOf" in schema:
            yield from self._check_choice(schema, value, where)
        if "const" in schema and value != schema["const"]:
            yield f"{where}: expected {schema['const']!r}, got {value!r}"
            return
        if "enum" in schema and value not in schema["enum"]:
            yield f"{where}: {value!r} is not one of {schema['enum']!r}"
            return
        wanted = schema.get("type")
        if wanted is not None:
            names = wanted if isinstance(wanted, list) else [wanted]
            if not any(_type_ok(n, value) for n in names):
                yield f"{where}: expected {'|'.join(names)}, got {_kind(value)}"
                return
        if isinstance(value, dict):
            yield from self._check_object(schema, value, where)
        elif isinstance(value, list):
            yield from self._check_array(schema, value, where)
        elif isinstance(value, str):
            yield from self._check_string(schema, value, where)
        elif _type_ok("number", value):
            if "minimum" in schema and value < schema["minimum"]:
                yield f"{where}: {value} < minimum {schema['minimum']}"
            if "maximum" in schema and value > schema["maximum"]:
                yield f"{where}: {value} > maximum {schema['maximum']}"

    def _check_choice(self, schema: JSON, value: Any, where: str) -> Iterator[str]:
        key = "oneOf" if "oneOf" in schema else "anyOf"
        results = [self.validate(sub, value, where) for sub in schema[key]]
        matches = sum(1 for r in results if not r)
        if matches == 0:
            closest = min(results, key=len)
            yield f"{where}: matches none of {len(results)} {key} branches; closest: {'; '.join(closest[:3])}"
        elif matches > 1 and key == "oneOf":
            yield f"{where}: matches {matches} oneOf branches (exactly one expected)"

    def _check_object(self, schema: JSON, value: JSON, where: str) -> Iterator[str]:
        properties: JSON = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                yield f"{where}: missing required field {name!r}"
        for name, item in value.items():
            if name in properties:
                yield from self._check(properties[name], item, f"{where}.{name}")
                continue
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):  # a map (``resolved.users``…); ``false`` is not enforced: extra fields are fine
                yield from self._check(extra, item, f"{where}.{name}")

    def _check_array(self, schema: JSON, value: list[Any], where: str) -> Iterator[str]:
        if "minItems" in schema and len(value) < schema["minItems"]:
            yield f"{where}: {len(value)} items < minItems {schema['minItems']}"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            yield f"{where}: {len(value)} items > maxItems {schema['maxItems']}"
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                yield from self._check(items, item, f"{where}[{i}]")

    def _check_string(self, schema: JSON, value: str, where: str) -> Iterator[str]:
        if "minLength" in schema and len(value) < schema["minLength"]:
            yield f"{where}: length {len(value)} < minLength {schema['minLength']}"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            yield f"{where}: length {len(value)} > maxLength {schema['maxLength']}"
        pattern = schema.get("pattern")
        if pattern is not None and not re.search(pattern, value):
            yield f"{where}: {value!r} does not match {pattern!r}"


@dataclass
class Finding:
    """The replies of one spec operation with one status, and what did not validate in them."""

    method: str
    template: str
    status: int
    count: int = 0
    problems: list[str] = field(default_factory=list)


def check_replies(validator: SpecValidator, replies: Iterable[tuple[str, str, int, Any]]) -> list[Finding]:
    """Validate ``(method, path, status, JSON body or None)`` replies; one finding per operation and status.

    A reply validates when the spec knows the operation, documents the status (exactly, as ``4XX`` or as
    ``default``), and the body matches that status's schema (a 204 has no body).
    """
    findings: dict[tuple[str, str, int], Finding] = {}
    for method, path, status, body in replies:
        operation = validator.operation(method, path)
        template = operation.template if operation is not None else path
        finding = findings.setdefault((method, template, status), Finding(method, template, status))
        finding.count += 1
        problems: list[str]
        if operation is None:
            problems = [f"the spec has no operation {method} {path}"]
        elif status == 204:
            problems = [] if body is None else [f"{status}: a body where the spec has none"]
            if str(status) not in operation.spec.get("responses", {}):
                problems.append(f"{status} is not a documented status ({validator.documented_statuses(operation)})")
        else:
            schema = validator.reply_schema(operation, status)
            if schema is None:
                problems = [f"{status} has no JSON schema ({validator.documented_statuses(operation)})"]
            else:
                problems = validator.validate(schema, body)
        for problem in problems:
            if problem not in finding.problems:
                finding.problems.append(problem)
    return sorted(findings.values(), key=lambda f: (f.template, f.method, f.status))
