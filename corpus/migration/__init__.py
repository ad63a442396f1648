"""``corpus migrate``: documents to the current normaliser and schema, annotations carried (docs/normalisation.md)."""
