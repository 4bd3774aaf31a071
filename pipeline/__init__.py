"""Hindsight's ingestion pipeline: post-mortem exports in, a DuckDB file out.

Parsing (``markdown``, ``records``, ``tabular``, ``tracker``; ``html_doc`` and
``word_doc``, which ``to_markdown`` writes as template Markdown for the Markdown
reader) is pure: bytes and configuration in, plain values and problems out. Loading (``store``, ``ingest``)
is separate, and the CLI (``cli``) is a thin layer over ``ingest.run``.
"""

__version__ = "0.1.0"
