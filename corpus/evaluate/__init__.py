"""Evaluation: metrics, extractor adapters, benchmark runs, reports, inter-annotator agreement."""
