"""Hindsight's ingestion pipeline: post-mortem exports in, a DuckDB file out.

Parsing (``markdown``, ``records``, ``tabular``, ``tracker``) is pure: bytes and
configuration in, plain values and problems out. Loading (``store``, ``ingest``)
is separate. The package imports nothing outside itself: the command line
(``hindsight.cli``) and the Import page call ``ingest.run``.
"""
