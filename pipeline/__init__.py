"""Hindsight's ingestion pipeline: post-mortem exports in, a DuckDB file out.

Parsing (``markdown``, ``records``, ``tabular``; ``html_doc`` and ``word_doc``, which
``to_markdown`` writes as template Markdown for the Markdown reader; ``trackers`` for Jira and
gh exports, ``tickets`` for what names a ticket) is pure: bytes and configuration in, plain values
and problems out. Loading (``store``, ``ingest``, ``load``, ``ticket_status``) is separate.
The package imports nothing outside itself: the command line (``hindsight.cli``) and the
Import page call ``ingest.run``.
"""
