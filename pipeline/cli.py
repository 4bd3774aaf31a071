"""`hindsight`: a thin command line over pipeline.ingest and pipeline.demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import __version__, store
from pipeline.config import ConfigError, load_config
from pipeline.ingest import RunResult, StrictAbort, UsageError, run

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
LONG_RUN = 200  # files; below this a progress bar only flickers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hindsight", description="Post-mortem analytics: load exports into "
                                     "DuckDB, then explore them in the dashboard.")
    parser.add_argument("--version", action="version", version=f"hindsight {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="load post-mortem exports (folders are walked recursively)")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--db", help="database file (default: $HINDSIGHT_DB, else data/hindsight.duckdb)")
    ingest.add_argument("--config", help="YAML file adding aliases, vocabularies, defaults and teams")
    ingest.add_argument("--strict", action="store_true", help="load nothing if any file is rejected")
    ingest.add_argument("--workers", type=int, default=None, help="parsing processes (default: all cores)")
    ingest.add_argument("-v", "--verbose", action="store_true", help="print every warning, not only errors")
    ingest.add_argument("-q", "--quiet", action="store_true", help="print only the summary and errors")

    report = sub.add_parser("report", help="print a metrics report (the numbers the dashboard shows)")
    report.add_argument("kind", choices=["quarterly", "actions", "recurrence", "escalations", "coverage", "review"])
    report.add_argument("--db", help="database file (default: $HINDSIGHT_DB, else data/hindsight.duckdb)")
    report.add_argument("--config", help="YAML file with thresholds (analytics:) and teams")
    report.add_argument("--team", action="append", default=[], help="keep this team (repeatable)")
    report.add_argument("--severity", action="append", default=[], help="keep this severity (repeatable)")
    report.add_argument("--service", action="append", default=[], help="keep this service (repeatable)")
    report.add_argument("--cause", action="append", default=[], help="keep this primary cause category")
    report.add_argument("--from", dest="date_from", type=_iso_date, help="incidents on or after (YYYY-MM-DD)")
    report.add_argument("--to", dest="date_to", type=_iso_date, help="incidents on or before (YYYY-MM-DD)")
    report.add_argument("--as-of", type=_iso_date, help="the date treated as today (default: today)")
    report.add_argument("--format", choices=["table", "csv", "json", "md"], default="table")
    report.add_argument("--quarter", help="review: the quarter, e.g. 2025-Q3")
    report.add_argument("--out", help="review: the HTML file to write")

    demo = sub.add_parser("demo", help="write a synthetic demo corpus in every supported format")
    demo.add_argument("--out", default="data/demo", help="folder to write into (default: data/demo)")
    demo.add_argument("--count", type=int, default=300, help="post-mortems to generate (default: 300)")
    demo.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "ingest":
        return _ingest(args)
    if args.command == "demo":
        return _demo(args)
    if args.command == "report":
        return _report_command(args, parser)
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _report_command(args, parser) -> int:
    from datetime import date

    from analytics.filters import Filters
    from analytics.render import FORMATS
    from analytics.reports import build
    from analytics.settings import Settings

    try:
        cfg = load_config(args.config)
        settings = Settings.from_config(cfg)
    except (ConfigError, ValueError) as exc:
        print(f"hindsight: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    severities = []
    for raw in args.severity:
        value = cfg.normalize("severity", raw)
        if value is None:
            print(f"hindsight: error: unknown severity '{raw}' (P1..P4 or a word in vocabularies.severity)",
                  file=sys.stderr)
            return EXIT_USAGE
        severities.append(value)
    causes = [cfg.normalize("cause_category", c) or c for c in args.cause]
    db = store.db_path(args.db)
    if not db.exists():
        print(f"hindsight: error: {db}: no database yet; load exports first with `hindsight ingest PATH`",
              file=sys.stderr)
        return EXIT_USAGE
    filters = Filters(teams=tuple(args.team), severities=tuple(severities), services=tuple(args.service),
                      cause_categories=tuple(causes), date_from=args.date_from, date_to=args.date_to,
                      as_of=args.as_of or date.today())
    con = store.connect_readonly(db)
    try:
        if args.kind == "review":
            return _review(args, con, filters, settings)
        sections = build(args.kind, con, filters, settings)
    finally:
        con.close()
    sys.stdout.write(FORMATS[args.format](sections))
    if not sys.stdout.isatty() or args.format != "table":
        sys.stdout.flush()
    return EXIT_OK


def _review(args, con, filters, settings) -> int:
    from analytics.review import QuarterError, write_review

    if not args.quarter or not args.out:
        print("hindsight: error: report review needs --quarter (e.g. 2025-Q3) and --out FILE.html", file=sys.stderr)
        return EXIT_USAGE
    try:
        path = write_review(con, filters, settings, args.quarter, Path(args.out))
    except QuarterError as exc:
        print(f"hindsight: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Wrote the {args.quarter} review pack to {path}")
    return EXIT_OK


def _progress_factory(total: int):
    if not sys.stdout.isatty() or total < LONG_RUN:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="parsing", file=sys.stderr, leave=False)


def _ingest(args) -> int:
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        print(f"hindsight: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.workers is not None and args.workers < 1:
        print("hindsight: error: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    db = store.db_path(args.db)
    try:
        result = run(args.paths, db, cfg, strict=args.strict, workers=args.workers,
                     progress_factory=lambda n: _progress_factory(n))
    except UsageError as exc:
        print(f"hindsight: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except store.WriterBusy as exc:
        print(f"hindsight: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StrictAbort as exc:
        _report(exc.result, args, db)
        print(f"--strict: {len(exc.result.rejected)} file(s) rejected, so nothing was loaded; {db} is unchanged.")
        return EXIT_REJECTED
    _report(result, args, db)
    return EXIT_REJECTED if result.rejected or result.errors else EXIT_OK


def _report(result: RunResult, args, db: Path) -> None:
    rejected = set(result.rejected)
    for path, problem in result.problems:
        if problem.level == "error" or (args.verbose and not args.quiet):
            where = f"{path}:{problem.line}" if problem.line else path
            tag = "REJECTED" if path in rejected and problem.level == "error" else problem.level.upper()
            print(f"{tag} {where}: {problem.message}")
    hidden = result.warnings if not args.verbose else 0
    print(f"{len(result.loaded)} file(s) loaded, {len(result.unchanged)} unchanged, "
          f"{len(result.rejected)} rejected (of {result.files_seen} found)")
    print(f"{result.postmortems} post-mortem(s), {result.actions} action(s), {result.incidents} incident(s), "
          f"{result.tracker_updates} tracker update(s) loaded; {result.warnings} warning(s), "
          f"{result.errors} error(s)")
    if hidden:
        print(f"Warnings are listed with --verbose, and kept in the ingest_errors table (run {result.run_id}).")
    if result.committed:
        print(f"Database: {db}")


def _demo(args) -> int:
    from hindsight.demo import write_demo_corpus

    if args.count < 1:
        print("hindsight: error: --count must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    summary = write_demo_corpus(Path(args.out), count=args.count, seed=args.seed)
    files = ", ".join(f"{n} {fmt}" for fmt, n in sorted(summary["files"].items()))
    print(f"Wrote {summary['postmortems']} post-mortems to {args.out} ({files}); "
          f"{len(summary['malformed'])} planted malformed file(s).")
    return EXIT_OK
