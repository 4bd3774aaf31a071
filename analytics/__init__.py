"""Metrics of the post-mortem practice, defined once (see docs/metrics.md)."""
