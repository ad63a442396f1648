"""The packaged JSON Schema (never fetched from the network)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

SCHEMA_RESOURCE = "schemas/v1/document.schema.json"


@lru_cache(maxsize=1)
def document_schema() -> dict[str, Any]:
    """Schema v1 for one document, as shipped inside the package."""
    return json.loads(resources.files("corpus").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8"))
