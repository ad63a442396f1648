"""Schema minor-version upgrades of one document (a JSON object), 1.x to the current ``SCHEMA_VERSION``.

Minor versions of schema 1 only add optional fields, so a document of an older minor version is
already valid at the current one once ``schema_version`` says so. A minor version that needs more
(a field to fill in, a value to rewrite) registers a step in :data:`UPGRADE_STEPS` under the version
it introduces; :func:`upgrade_schema` applies the steps of every version after the document's, in
order, then stamps the current version. Pure: the input is not modified.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from corpus.errors import DocumentError
from corpus.model import SCHEMA_MAJOR, SCHEMA_VERSION

Step = Callable[[dict[str, Any]], None]
_VERSION_RE = re.compile(r"(\d+)\.(\d+)\.(\d+)")

#: Version introduced -> the step that rewrites a document of the previous version in place. The
#: additive releases 1.1.0 (``source.split``, ``page_type``, ``input``) and 1.2.0
#: (``source.encoding_source``) need none: the new fields are optional and left unset.
UPGRADE_STEPS: dict[str, Step] = {}


def parse_version(version: object) -> tuple[int, int, int]:
    """``"1.2.0"`` -> ``(1, 2, 0)``; a :class:`DocumentError` (``schema_version_unsupported``) otherwise."""
    m = _VERSION_RE.fullmatch(version) if isinstance(version, str) else None
    if m is None:
        raise DocumentError(f"schema_version {version!r} is not MAJOR.MINOR.PATCH",
                            reason="schema_version_unsupported")
    return int(m[1]), int(m[2]), int(m[3])


def upgrade_schema(doc: dict[str, Any], *, target: str = SCHEMA_VERSION,
                   steps: dict[str, Step] | None = None) -> tuple[dict[str, Any], list[str]]:
    """``doc`` at schema ``target`` and the versions whose steps were applied (empty: none needed).

    A document of another major version, or newer than ``target``, is a :class:`DocumentError`:
    a major version changes the meaning of fields, and a newer document would lose fields this
    package does not know.
    """
    steps = UPGRADE_STEPS if steps is None else steps
    have, want = parse_version(doc.get("schema_version")), parse_version(target)
    if have[0] != SCHEMA_MAJOR or want[0] != SCHEMA_MAJOR:
        raise DocumentError(f"schema_version {doc.get('schema_version')} is not schema {SCHEMA_MAJOR}.x; "
                            "a major version cannot be migrated", reason="schema_version_unsupported")
    if have > want:
        raise DocumentError(f"schema_version {doc.get('schema_version')} is newer than this package's "
                            f"{target}; upgrade the package", reason="schema_version_newer")
    if have == want:
        return doc, []
    out = copy.deepcopy(doc)
    applied = []
    for version in sorted(steps, key=parse_version):
        if have < parse_version(version) <= want:
            steps[version](out)
            applied.append(version)
    out["schema_version"] = target
    return out, applied
