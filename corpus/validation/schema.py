"""JSON Schema layer: every schema violation of a document, as Problems with rule ids."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from corpus.labels import BLOCK_LABELS
from corpus.model import SCHEMA_MAJOR
from corpus.schema import document_schema
from corpus.validation.jsonpos import escape_token, pointer_of
from corpus.validation.problems import Problem, problem
from corpus.validation.suggest import suggest_block_label, suggest_name

_BLOCK_LABEL_PTR = re.compile(r"^/blocks/\d+/label$")
_VERSION = re.compile(r"([0-9]+)\.[0-9]+\.[0-9]+")
_INTEGERISH = re.compile(r"^\s*-?\d+\s*$")


def load_schema() -> dict[str, Any]:
    """The document schema shipped inside the package (never fetched from the network)."""
    return document_schema()


@lru_cache(maxsize=1)
def validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema())


def show(value: Any, limit: int = 60) -> str:
    """A short, printable rendering of a JSON value."""
    try:
        s = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        s = repr(value)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def schema_problems(data: Any) -> list[Problem]:
    """All JSON Schema violations of ``data`` (not just the first)."""
    out: list[Problem] = []
    for err in validator().iter_errors(data):
        out.extend(_convert(err))
    return out


def _convert(err: Any) -> Iterator[Problem]:
    path = list(err.absolute_path)
    ptr = pointer_of(path)
    kw = err.validator
    inst = err.instance
    if kw == "type":
        expected = err.validator_value
        names = " or ".join(expected) if isinstance(expected, list) else expected
        hint = ""
        if isinstance(inst, str) and "integer" in str(expected) and _INTEGERISH.match(inst):
            hint = " (a number written as a string?)"
        yield problem("schema-type", ptr, f"expected {names}, found {json_type(inst)} {show(inst)}{hint}")
    elif kw == "required":
        name = _required_name(err.message)
        yield problem("schema-required", ptr + "/" + escape_token(name), f"required property {name!r} is missing")
    elif kw == "additionalProperties":
        allowed = list((err.schema.get("properties") or {}).keys())
        for key in inst:
            if key not in allowed:
                yield problem("schema-additional-property", ptr + "/" + escape_token(key),
                              f"property {show(key)} is not allowed here{suggest_name(key, allowed)}")
    elif kw == "enum":
        if _BLOCK_LABEL_PTR.match(ptr):
            hint = ""
            if isinstance(inst, str):
                s = suggest_block_label(inst)
                hint = f"; did you mean {s!r}?" if s else ""
            yield problem("block-label-unknown", ptr,
                          f"{show(inst)} is not a block label{hint} (labels: {', '.join(BLOCK_LABELS)} or null)")
        else:
            choices = [c for c in err.validator_value]
            hint = suggest_name(inst, [c for c in choices if isinstance(c, str)]) if isinstance(inst, str) else ""
            yield problem("schema-enum", ptr,
                          f"{show(inst)} is not one of {', '.join(show(c) for c in choices)}{hint}")
    elif kw == "pattern":
        yield _pattern_problem(ptr, inst, err.validator_value)
    elif kw == "minimum":
        yield problem("schema-minimum", ptr, f"{show(inst)} is less than the minimum {err.validator_value}")
    elif kw == "minLength":
        yield problem("schema-min-length", ptr, f"{show(inst)} is shorter than {err.validator_value} character(s)")
    elif kw in ("oneOf", "anyOf") and err.context:
        branch = _matching_branch(err)
        if branch is None:
            yield problem("schema-one-of", ptr, f"{show(inst)} matches none of the allowed shapes")
        else:
            for sub in branch:
                yield from _convert(sub)
    else:
        yield problem("schema-invalid", ptr, err.message)


def _required_name(message: str) -> str:
    head = message.split(" is a required property", 1)[0]
    try:
        name = ast.literal_eval(head)
    except (ValueError, SyntaxError):
        return head
    return name if isinstance(name, str) else head


def _matching_branch(err: Any) -> list[Any] | None:
    """Errors of the one alternative whose type fits the instance (e.g. the object form of reference)."""
    by_branch: dict[int, list[Any]] = {}
    for sub in err.context:
        by_branch.setdefault(sub.schema_path[0], []).append(sub)
    fitting = [errs for errs in by_branch.values()
               if not any(e.validator == "type" and not e.relative_path for e in errs)]
    return fitting[0] if len(fitting) == 1 else None


def _pattern_problem(ptr: str, inst: Any, pattern: str) -> Problem:
    if ptr == "/id":
        return problem("id-format", ptr,
                       f"{show(inst)} is not 16 lowercase hex digits (the start of source.raw_sha256)")
    if ptr == "/source/raw_sha256":
        return problem("sha256-format", ptr, f"{show(inst)} is not a sha256 in 64 lowercase hex digits")
    if ptr == "/schema_version":
        m = _VERSION.fullmatch(inst)
        if m and int(m.group(1)) != SCHEMA_MAJOR:
            return problem("schema-version-unsupported", ptr,
                           f"schema_version {show(inst)} has major version {m.group(1)}; "
                           f"this validator reads major version {SCHEMA_MAJOR}")
        return problem("schema-version-unsupported", ptr, f"{show(inst)} is not a version '{SCHEMA_MAJOR}.x.y'")
    if ptr == "/metadata/language":
        return problem("language-tag-invalid", ptr, f"{show(inst)} is not a BCP-47 language tag (e.g. 'en', 'pt-BR')")
    return problem("schema-pattern", ptr, f"{show(inst)} does not match {pattern!r}")
