"""The typed model, the JSON Schema and the label sets must not drift apart."""

from __future__ import annotations

import dataclasses
import types
import typing

import pytest
from jsonschema import Draft202012Validator

from corpus import labels, model
from corpus.ingestion.draft import draft_document
from corpus.schema import document_schema
from tests.conftest import ROOT

SCHEMA = document_schema()
PROPS = SCHEMA["properties"]

# model class -> the schema object that describes it
OBJECTS = {
    model.Document: SCHEMA,
    model.Source: PROPS["source"],
    model.Normalizer: PROPS["normalizer"],
    model.Block: PROPS["blocks"]["items"],
    model.Entity: PROPS["entities"]["items"],
    model.Metadata: PROPS["metadata"],
    model.Checks: PROPS["checks"],
    model.Reference: PROPS["reference"]["oneOf"][1],
    model.Layer: PROPS["annotation"]["properties"]["blocks"],
    model.Annotation: PROPS["annotation"],
}


def _json_types(tp: object) -> set[str]:
    """JSON types a Python annotation (as a string or a type) admits."""
    hints = {"str": "string", "int": "integer", "bool": "boolean", "None": "null"}
    s = str(tp).replace("typing.", "")
    out = {v for k, v in hints.items() if k in s.replace("NoneType", "None")}
    if s.startswith("tuple") or "tuple[" in s:
        out = {"array"}
    return out


def test_packaged_schema_is_the_published_one() -> None:
    published = (ROOT / "schema" / "v1" / "document.schema.json").read_bytes()
    packaged = (ROOT / "corpus" / "schemas" / "v1" / "document.schema.json").read_bytes()
    assert published == packaged, "schema/v1 and corpus/schemas/v1 differ: copy schema/ into the package"


def test_schema_is_valid_draft_2020_12_with_major_version_in_id() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "v1" in SCHEMA["$id"]


@pytest.mark.parametrize("cls", list(OBJECTS), ids=lambda c: c.__name__)
def test_model_fields_match_schema_properties(cls: type) -> None:
    obj = OBJECTS[cls]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    assert set(fields) == set(obj["properties"]), cls.__name__
    assert obj.get("additionalProperties") is False
    hints = typing.get_type_hints(cls, vars(model))
    for name, prop in obj["properties"].items():
        tp = hints[name]
        if dataclasses.is_dataclass(tp) or (isinstance(tp, types.UnionType) and any(
            dataclasses.is_dataclass(a) for a in typing.get_args(tp)
        )):
            continue  # nested objects are compared by their own parametrised case
        declared = prop.get("type")
        if declared is None and "enum" in prop:
            declared = sorted({ {str: "string", type(None): "null"}[type(v)] for v in prop["enum"]})
        declared_set = {declared} if isinstance(declared, str) else set(declared or ())
        assert declared_set == _json_types(tp), f"{cls.__name__}.{name}: {declared_set} vs {tp}"


def test_required_fields_have_no_default_or_are_always_written() -> None:
    doc = draft_document(b"<p>x</p>", raw_path="raw/x.html")
    written = doc.to_dict()
    for name in SCHEMA["required"]:
        assert name in written


def test_label_enums_match_label_sets() -> None:
    assert PROPS["blocks"]["items"]["properties"]["label"]["enum"] == [*labels.BLOCK_LABELS, None]
    assert set(PROPS["annotation"]["properties"]["entity_label_set"]["enum"]) == set(labels.ENTITY_LABEL_SETS)
    status = PROPS["annotation"]["properties"]["blocks"]["properties"]["status"]["enum"]
    assert status == list(labels.ANNOTATION_STATUSES)
    assert PROPS["source"]["properties"]["raw_format"]["enum"] == list(labels.RAW_FORMATS)


def test_ontonotes_mapping_covers_the_label_set() -> None:
    assert set(labels.ONTONOTES_TO_CONLL) == set(labels.ONTONOTES18)
    assert set(v for v in labels.ONTONOTES_TO_CONLL.values() if v) == set(labels.CONLL4)


def test_views_are_built_from_block_labels() -> None:
    for view in labels.VIEWS.values():
        assert view <= set(labels.BLOCK_LABELS)
    assert labels.VIEWS["article_with_comments"] == labels.VIEWS["article"] | {"comments"}
