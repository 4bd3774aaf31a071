"""Hindsight's command line and what it composes: the ingestion pipeline, the analytics, the demo corpus."""

__version__ = "0.1.0"
