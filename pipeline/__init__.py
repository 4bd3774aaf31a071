"""Hindsight's ingestion pipeline: post-mortem exports in, a DuckDB file out.

Parsing (``markdown``, ``records``, ``tabular``; ``html_doc`` and ``word_doc``, which
``to_markdown`` writes as template Markdown for the Markdown reader; ``trackers`` for Jira and
gh exports, ``tickets`` for what names a ticket) is pure: bytes and configuration in, plain values
and problems out. Loading is separate: ``ingest`` runs it (``discover`` finds the files, ``workers``
parse them into ``rows``, ``load`` writes them in batches with ``duplicates``, ``statuses``,
``tracker_match`` and ``ticket_status``, inside ``store``'s one writer). The package imports nothing
outside itself: the command line (``hindsight.cli``) calls ``ingest.run``, the Import page
``uploads.ingest_uploads``; both report failures through ``errors``.
"""
