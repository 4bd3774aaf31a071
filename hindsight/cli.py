"""`hindsight`: the command line. A thin click layer that composes the ingestion pipeline (ingest), the
analytics (report) and the demo generator (demo); it reads the configuration file once and hands each
layer what it needs.

Exit codes (docs/ingestion.md): 0 done, 1 some files rejected, 2 the run failed (a usage error, click's own
included, or an ingest that could not read or write the database), 130 / 143 interrupted by Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import signal
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from analytics.db import connect_readonly
from analytics.filters import Filters
from analytics.settings import Settings
from hindsight import __version__
from hindsight.config import database_path, read_config
from pipeline.config import Config, build
from pipeline.errors import IngestFailed, Interrupted
from pipeline.ingest import RunResult, StrictAbort, run

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2  # 2: usage, or a run that failed as a whole
EXIT_INTERRUPTED = 128  # plus the signal's number, as shells report it: 130 for Ctrl-C, 143 for SIGTERM
LONG_RUN = 200  # files; below this a progress bar only flickers
DB_HELP = "database file (default: $HINDSIGHT_DB, else data/hindsight.duckdb)"


def fail(message) -> NoReturn:
    click.echo(f"hindsight: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a date (YYYY-MM-DD)", param, ctx)


def load_configuration(path: str | None) -> tuple[Config, dict]:
    """The parsers' view of the configuration file, and its mapping; exits 2 when the file is unusable."""
    try:
        raw = read_config(path)
        return build(raw, path), raw
    except ValueError as exc:  # not found, not YAML, an unknown section, a bad pattern
        fail(exc)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="hindsight", message="%(prog)s %(version)s")
def cli() -> None:
    """Post-mortem analytics: load exports into DuckDB, then explore them in the dashboard."""


def main() -> None:
    """The console script `hindsight` and `python -m hindsight`."""
    cli.main(prog_name="hindsight")


# ---------------------------------------------------------------- ingest


@cli.command(short_help="Load post-mortem exports into the database.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--db", metavar="FILE", help=DB_HELP)
@click.option("--config", metavar="FILE", help="YAML file adding aliases, vocabularies, defaults and teams")
@click.option("--strict", is_flag=True, help="load nothing if any file is rejected")
@click.option("--workers", type=int, metavar="N", help="parsing processes (default: all cores)")
@click.option("--follow-links", is_flag=True,
              help="follow symbolic links that lead out of the folders given (by default they are skipped)")
@click.option("-v", "--verbose", is_flag=True, help="print every warning, not only errors")
@click.option("-q", "--quiet", is_flag=True, help="print only the summary and errors")
def ingest(paths, db, config, strict, workers, follow_links, verbose, quiet) -> None:
    """Load post-mortem exports (folders are walked recursively).

    \b
    Exit codes:
      0    every file loaded (warnings may have been recorded)
      1    some files were rejected; the others are loaded (with --strict, none is)
      2    the run failed, and the database is unchanged: a usage error (an unknown option, a missing
           path, an unusable configuration, a folder as --db), or the database could not be read or
           written (not a DuckDB file, disk full, an I/O error, locked by another ingest for too long),
           or a parsing process died
      130  interrupted by Ctrl-C; 143 by SIGTERM. The database holds the last completed ingest."""
    cfg, _ = load_configuration(config)
    if workers is not None and workers < 1:
        fail("--workers must be at least 1")
    db = database_path(db)
    try:
        with _sigterm_interrupts():
            result = run(list(paths), db, cfg, strict=strict, workers=workers, follow_links=follow_links,
                         progress_factory=_progress_bar)
    except IngestFailed as exc:  # a usage error, or the database could not be written: one line, exit 2
        fail(exc)
    except (Interrupted, KeyboardInterrupt) as exc:
        name, number = (exc.args[0], exc.signum) if isinstance(exc, Interrupted) else ("Ctrl-C", signal.SIGINT)
        click.echo(f"\nhindsight: interrupted by {name}; the database holds the last completed ingest", err=True)
        sys.exit(EXIT_INTERRUPTED + number)
    except StrictAbort as exc:
        _print_summary(exc.result, db, verbose, quiet)
        click.echo(f"--strict: {len(exc.result.rejected)} file(s) rejected, so nothing was loaded; {db} is unchanged.")
        sys.exit(EXIT_REJECTED)
    _print_summary(result, db, verbose, quiet)
    sys.exit(EXIT_REJECTED if result.rejected or result.errors else EXIT_OK)


@contextmanager
def _sigterm_interrupts():
    """SIGTERM stops a run the way Ctrl-C does: the private copy and the workers are cleaned up on the way
    out (its default would end the process at once, without a word)."""
    received = []

    def interrupt(signum, frame):
        received.append(signum)
        raise Interrupted(signum, "SIGTERM")

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (an embedding host): keep its handling
        yield
        return
    try:
        yield
    except BaseException as exc:
        # A signal that arrives while DuckDB runs a query does not reach us as Interrupted: DuckDB stops the
        # query and raises its own "Query interrupted" error instead (a traceback and exit 1, seen in CI).
        if received and not isinstance(exc, Interrupted):
            raise Interrupted(received[0], "SIGTERM") from None
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress_bar(total: int):
    if not sys.stdout.isatty() or total < LONG_RUN:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="parsed and loaded", file=sys.stderr, leave=False)


def _print_summary(result: RunResult, db: Path, verbose: bool, quiet: bool) -> None:
    rejected = set(result.rejected)
    for path, problem in result.problems:
        if problem.level == "error" or (verbose and not quiet):
            where = f"{path}:{problem.line}" if problem.line else path
            tag = "REJECTED" if path in rejected and problem.level == "error" else problem.level.upper()
            click.echo(f"{tag} {where}: {problem.message}")
    click.echo(f"{len(result.loaded)} file(s) loaded, {len(result.unchanged)} unchanged, "
               f"{len(result.rejected)} rejected (of {result.files_seen} found)")
    click.echo(f"{result.postmortems} post-mortem(s), {result.actions} action(s), {result.incidents} incident(s), "
               f"{result.tracker_updates} tracker update(s) loaded; {result.warnings} warning(s), "
               f"{result.errors} error(s)")
    if result.tickets_read:
        click.echo(f"{result.tickets_read} ticket(s) read from tracker exports, {result.tickets_unmatched} named by no "
                   "loaded action" + (" (listed with --verbose)" if result.tickets_unmatched and not verbose else ""))
    if result.warnings and not verbose:
        click.echo(f"Warnings are listed with --verbose, and kept in the ingest_errors table (run {result.run_id}).")
    if result.committed:
        click.echo(f"Database: {db}")


# ---------------------------------------------------------------- demo


@cli.command(short_help="Write a synthetic corpus in every format.")
@click.option("--out", default="data/demo", show_default=True, metavar="DIR", help="folder to write into")
@click.option("--count", type=int, default=300, show_default=True, metavar="N", help="post-mortems to generate")
@click.option("--seed", type=int, default=42, show_default=True, metavar="N", help="random seed")
def demo(out, count, seed) -> None:
    """Write a synthetic demo corpus in every supported format.

    The same count and seed always write the same bytes; `make demo-data` (300, 42) writes data/demo."""
    from hindsight.demo import write_demo_corpus  # its wording is read only when a corpus is written

    if count < 1:
        fail("--count must be at least 1")
    summary = write_demo_corpus(Path(out), count=count, seed=seed)
    files = ", ".join(f"{n} {fmt}" for fmt, n in sorted(summary["files"].items()))
    click.echo(f"Wrote {summary['postmortems']} post-mortems to {out} ({files}); "
               f"{len(summary['malformed'])} planted malformed file(s).")


# ---------------------------------------------------------------- report

REPORTS = {  # kind: (short help, help)
    "quarterly": ("Quarter-by-quarter trends.",
                  "Quarter by quarter: incidents, durations, recurrence, time to post-mortem."),
    "actions": ("Completion of corrective actions.",
                "Corrective actions: completion, on time, time to close, overdue and blocked."),
    "recurrence": ("Recurring incidents and their causes.",
                   "Recurring incidents, patterns, causes (Pareto, by service), action effectiveness."),
    "escalations": ("What to escalate.",
                    "What to escalate: long-blocked actions, repeated patterns, external causes."),
    "coverage": ("Post-mortem coverage and timeliness.",
                 "Incidents that required a post-mortem, the ones missing, time to post-mortem."),
}
FILTER_OPTIONS = [
    click.option("--db", metavar="FILE", help=DB_HELP),
    click.option("--config", metavar="FILE", help="YAML file with thresholds (analytics:) and teams"),
    click.option("--team", multiple=True, metavar="TEAM", help="keep this team (repeatable)"),
    click.option("--severity", multiple=True, metavar="SEVERITY", help="keep this severity (repeatable)"),
    click.option("--service", multiple=True, metavar="SERVICE", help="keep this service (repeatable)"),
    click.option("--cause", multiple=True, metavar="CATEGORY", help="keep this primary cause category (repeatable)"),
    click.option("--from", "date_from", type=IsoDate(), help="incidents on or after this date"),
    click.option("--to", "date_to", type=IsoDate(), help="incidents on or before this date"),
    click.option("--as-of", type=IsoDate(), help="the date treated as today (default: today)"),
]


def filter_options(command):
    """The options every report takes: where the data is, and the dashboard's filters."""
    for option in reversed(FILTER_OPTIONS):
        command = option(command)
    return command


@cli.group(short_help="Print the dashboard's numbers as a report.")
def report() -> None:
    """Print a metrics report: the numbers the dashboard shows, filtered like it."""


def _table_report(kind: str, short_help: str, help_text: str) -> None:
    @report.command(name=kind, short_help=short_help, help=help_text)
    @filter_options
    @click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "md"]), default="table",
                  show_default=True, help="how to print the tables")
    def command(fmt, **options) -> None:
        # analytics' pandas and plotly cost a second at start-up: imported when a report runs
        from analytics.render import FORMATS
        from analytics.reports import build as build_report

        con, filters, settings = _open_report(**options)
        try:
            sections = build_report(kind, con, filters, settings)
        finally:
            con.close()
        click.echo(FORMATS[fmt](sections), nl=False)


for _kind, (_short, _help) in REPORTS.items():
    _table_report(_kind, _short, _help)


@report.command(short_help="Write a quarter's HTML review pack.")
@filter_options
@click.option("--quarter", metavar="YYYY-Qn", help="the quarter, e.g. 2025-Q3 (default: the last complete one)")
@click.option("--out", metavar="FILE", help="the HTML file to write")
def review(quarter, out, **options) -> None:
    """Write a quarter's review pack: one self-contained HTML file."""
    from analytics.quarters import last_complete_quarter
    from hindsight.review import QuarterError, write_review

    if not out:
        fail("report review needs --out FILE.html (and --quarter, e.g. 2025-Q3, for another quarter than "
             "the last complete one)")
    con, filters, settings = _open_report(**options)
    quarter = quarter or last_complete_quarter(filters.as_of, settings.fiscal_year_start_month)
    try:
        path = write_review(con, filters, settings, quarter, Path(out))
    except QuarterError as exc:
        fail(exc)
    finally:
        con.close()
    click.echo(f"Wrote the {quarter} review pack to {path}")


def _open_report(db, config, team, severity, service, cause, date_from, date_to, as_of):
    """The connection, filters and settings of a report; exits 2 on a bad option or a missing database."""
    cfg, raw = load_configuration(config)
    try:
        settings = Settings.from_mapping(raw)
    except ValueError as exc:
        fail(exc)
    severities = []
    for word in severity:
        value = cfg.normalize("severity", word)
        if value is None:
            fail(f"unknown severity '{word}' (P1..P4 or a word in vocabularies.severity)")
        severities.append(value)
    causes = [cfg.normalize("cause_category", c) or c for c in cause]
    path = database_path(db)
    if not path.exists():
        fail(f"{path}: no database yet; load exports first with `hindsight ingest PATH`")
    filters = Filters(teams=tuple(team), severities=tuple(severities), services=tuple(service),
                      cause_categories=tuple(causes), date_from=date_from, date_to=date_to,
                      as_of=as_of or date.today())
    return connect_readonly(path), filters, settings
