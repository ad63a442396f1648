"""Problems, reports and the catalogue of rule ids (documented in docs/validation.md)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

ERROR = "error"
WARNING = "warning"

#: Every rule id the validator emits -> (severity, one-line meaning). ``docs/validation.md`` lists
#: them with examples; a test checks the two agree.
RULES: dict[str, tuple[str, str]] = {
    # file layer
    "file-unreadable": (ERROR, "the file cannot be read (I/O error)"),
    "document-too-large": (ERROR, "a document file or JSONL record exceeds MAX_DOCUMENT_BYTES"),
    "file-not-utf8": (ERROR, "the bytes are not valid UTF-8"),
    "file-bom": (WARNING, "the file starts with a UTF-8 byte-order mark"),
    "json-syntax": (ERROR, "the text is not valid JSON"),
    "json-too-deep": (ERROR, "JSON nesting exceeds MAX_JSON_DEPTH"),
    "json-duplicate-key": (ERROR, "an object has the same key twice"),
    # JSON Schema layer
    "schema-type": (ERROR, "a value has the wrong JSON type"),
    "schema-required": (ERROR, "a required property is missing"),
    "schema-additional-property": (ERROR, "a property the schema does not define"),
    "schema-enum": (ERROR, "a value outside its allowed set"),
    "schema-pattern": (ERROR, "a string does not match its pattern"),
    "schema-minimum": (ERROR, "a number below its minimum"),
    "schema-min-length": (ERROR, "a string shorter than allowed (usually empty)"),
    "schema-one-of": (ERROR, "a value matches none of the allowed shapes"),
    "schema-invalid": (ERROR, "any other JSON Schema violation"),
    "schema-version-unsupported": (ERROR, "schema_version is malformed or its major version is not 1"),
    "id-format": (ERROR, "id is not 16 lowercase hex digits"),
    "sha256-format": (ERROR, "source.raw_sha256 is not 64 lowercase hex digits"),
    "block-label-unknown": (ERROR, "a block label outside the block label set"),
    "language-tag-invalid": (ERROR, "metadata.language is not a BCP-47 tag"),
    # semantic layer
    "id-mismatch": (ERROR, "id is not the first 16 hex digits of source.raw_sha256"),
    "date-invalid": (ERROR, "a date is not an ISO 8601 date or date-time"),
    "block-empty": (ERROR, "a block with start >= end"),
    "block-out-of-range": (ERROR, "a block ends beyond the end of text"),
    "block-unsorted": (ERROR, "a block starts before the previous block"),
    "block-overlap": (ERROR, "a block overlaps the previous block"),
    "block-gap": (ERROR, "characters of text covered by no block"),
    "block-separator": (ERROR, "consecutive blocks not separated by exactly one newline"),
    "block-newline": (ERROR, "a block contains a newline"),
    "layer-incomplete": (ERROR, "a gold block layer with unlabelled blocks"),
    "layer-none-but-labelled": (WARNING, "a layer with status none that carries labels"),
    "entity-empty": (ERROR, "an entity with start >= end"),
    "entity-out-of-range": (ERROR, "an entity ends beyond the end of text"),
    "entity-text-mismatch": (ERROR, "entity text differs from text[start:end]"),
    "entity-whitespace-edge": (ERROR, "an entity starts or ends on whitespace"),
    "entity-crosses-blocks": (ERROR, "an entity not inside a single block"),
    "entity-overlap": (ERROR, "two entities overlap"),
    "entity-label-unknown": (ERROR, "an entity label outside the declared label set"),
    "checks-include-missing": (WARNING, "a checks.include snippet does not occur in text"),
    "validator-internal-error": (ERROR, "the validator failed on this document (a bug; please report it)"),
    # corpus layer
    "id-duplicate": (ERROR, "two documents share an id"),
    "raw-path-invalid": (ERROR, "source.raw_path is absolute or leaves the corpus root"),
    "raw-missing": (ERROR, "the raw file is not recorded or not found"),
    "raw-hash-mismatch": (ERROR, "the raw file does not hash to source.raw_sha256"),
    "raw-not-checked": (WARNING, "a WARC record not located by byte offset: the raw payload is not verified"),
    "normalizer-not-installed": (WARNING, "the recorded normaliser version is not an installed one"),
    "text-not-reproduced": (ERROR, "re-normalising the raw page does not give text"),
    "blocks-not-reproduced": (ERROR, "re-normalising the raw page does not give the block offsets"),
}

#: Rules that mean the validator could not read its input (the CLI exits 2 for them).
IO_RULES = frozenset({"file-unreadable"})

FORMATS = ("text", "json", "github")


def _safe(s: str) -> str:
    """``s`` with lone surrogates (e.g. undecodable file names) escaped, so it can always be printed."""
    return s.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: where it is (file, 1-based line and column, JSON pointer) and what it is."""

    file: str
    line: int
    column: int
    rule: str
    pointer: str
    message: str
    severity: str = ERROR

    def format_text(self) -> str:
        """``file:line:col: RULE-ID /json/pointer: message`` (warnings say so before the message)."""
        sev = "warning: " if self.severity == WARNING else ""
        return _safe(f"{self.file}:{self.line}:{self.column}: {self.rule} {self.pointer or '/'}: {sev}{self.message}")

    def format_github(self) -> str:
        """A GitHub Actions workflow command (``::error file=...,line=...,col=...,title=...::msg``)."""
        kind = "warning" if self.severity == WARNING else "error"
        props = [f"file={_gh_prop(self.file)}"]
        if self.line > 0:
            props.append(f"line={self.line}")
            if self.column > 0:
                props.append(f"col={self.column}")
        props.append(f"title={_gh_prop(self.rule)}")
        data = _gh_data(f"{self.pointer or '/'}: {self.message}")
        return _safe(f"::{kind} {','.join(props)}::{data}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def at(self, file: str, line: int, column: int) -> Problem:
        return replace(self, file=file, line=line, column=column)


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def problem(rule: str, pointer: str, message: str, *, file: str = "", line: int = 0, column: int = 0) -> Problem:
    """A Problem with the rule's catalogued severity."""
    return Problem(file, line, column, rule, pointer, message, RULES[rule][0])


@dataclass(slots=True)
class Report:
    """Result of validating some paths."""

    files: int = 0
    documents: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def io_error(self) -> bool:
        return any(p.rule in IO_RULES for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {"files": self.files, "documents": self.documents, "problems": [p.as_dict() for p in self.problems]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def summary(self) -> str:
        return (f"{self.files} files, {self.documents} documents: {len(self.errors)} errors, "
                f"{len(self.warnings)} warnings")

    def format(self, fmt: str = "text") -> str:
        """The report as printed by ``corpus validate --format fmt`` (no trailing newline)."""
        if fmt == "json":
            return _safe(self.to_json())
        if fmt == "github":
            return "\n".join(p.format_github() for p in self.problems)
        if fmt == "text":
            return "\n".join(p.format_text() for p in self.problems)
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
