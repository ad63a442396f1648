"""Importers of the public main-content extraction benchmarks."""
