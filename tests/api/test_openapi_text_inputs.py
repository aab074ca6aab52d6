"""A guard over the whole OpenAPI document: no free-text input may carry NUL.

PostgreSQL cannot store NUL in text; an input that lets one through is a 500 on one dialect.
Each string parameter or body property must be an enum, a format (uuid, date-time...), or have
a pattern that excludes NUL. New endpoints are covered the day they are added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from api.app import create_app
from core.settings import Settings
from tests.conftest import TEST_ISSUER


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def _string_schemas(
    doc: dict[str, Any], schema: dict[str, Any], where: str, seen: set[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return
        seen = seen | {schema["$ref"]}
    schema = _resolve(doc, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _string_schemas(doc, option, where, seen)
    if schema.get("type") == "string":
        yield where, schema
    for name, prop in schema.get("properties", {}).items():
        yield from _string_schemas(doc, prop, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        yield from _string_schemas(doc, schema["items"], f"{where}[]", seen)


def _inputs(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                yield from _string_schemas(doc, parameter["schema"], f"{label} {parameter['name']}", set())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                yield from _string_schemas(doc, media["schema"], f"{label} body", set())


def _admits_nul(schema: dict[str, Any]) -> bool:
    if "enum" in schema or "const" in schema or "format" in schema:
        return False
    if "contentMediaType" in schema:  # an uploaded file: bytes (XLSX holds NUL), read by ingest/, never stored as text
        return False
    pattern = schema.get("pattern")
    return pattern is None or re.search(pattern, "a\x00b") is not None


def test_no_free_text_input_admits_nul() -> None:
    doc = create_app(Settings(issuer=TEST_ISSUER)).openapi()
    inputs = list(_inputs(doc))
    assert len(inputs) > 20  # the walk reaches the document's inputs
    assert sorted({where for where, schema in inputs if _admits_nul(schema)}) == []
