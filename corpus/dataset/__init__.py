"""The published dataset: layout, rows, splits, deduplication, statistics, writing, reading, verifying, card."""
