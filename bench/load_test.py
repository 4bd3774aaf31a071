"""Load test: many people using one dashboard at once.

    .venv/bin/python bench/load_test.py --db FILE [--sessions 20] [--seconds 60] [--mode switch|reload] [--json OUT]

Starts one `streamlit run app.py` on the given database and drives ``--sessions`` concurrent
browser contexts in Debian's headless Chromium (Playwright, /usr/bin/chromium), in one of two modes:

- ``switch`` (the default): people with the dashboard open. Each session first opens it on a random
  page with a random team or severity filter (a shared deep link), two sessions at a time, before the
  clock starts; then, for ``--seconds``, all at once, each switches to another page in the sidebar's
  navigation or changes its team or severity filter in the sidebar, and waits until the server has
  finished the run (its ``script_finished`` message on the session's websocket) and the browser has
  drawn the page, again and again.
- ``reload``: everyone opening links at the same moment. Each session, for ``--seconds``, opens a random
  page with a random filter as a new deep link, a whole load of the app every time (its JavaScript
  included), and waits until the page has finished its run.

Reported: pages finished (a page switched to or a filter changed, or a link opened), errors
(exception boxes or pages not finished within two minutes), and the median, p90, p95 and max time to
a finished page; in ``switch`` mode the times the sessions took to open too; and where the machine's
CPU went meanwhile (Linux): the dashboard's server process, and everything else, which on an
otherwise idle machine is the browsers (and Playwright's driver), from the clock's start to the end:
on a small machine they share the cores with the server, and a run's result says more about them
than about the server when they take most. Not part of the test run: it takes minutes and its
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# A page not finished after two minutes counts as an error; a slow one is a time to report, not an error.
PAGE_TIMEOUT_MS = 120_000
PAGES = ["", "actions", "causes", "timeliness", "quarterly", "escalations", "postmortems"]
# each page's name in the sidebar's navigation (app.py)
TITLES = dict(zip(PAGES, ["Overview", "Actions", "Causes and recurrence", "Time to post-mortem", "Quarterly trends",
                          "Escalations", "Post-mortems"]))
LABELS = {"team": "Team", "severity": "Severity"}  # the sidebar's filters (analytics/filters.py DIMENSIONS)
OPENING_AT_ONCE = 2  # sessions opening at the same time in switch mode, before the clock starts
DONE_JS = ("() => !!document.querySelector('[data-testid=\"stMain\"] h1') &&"
           " !document.querySelector('[data-testid=\"stStatusWidget\"]') &&"
           " !document.querySelector('[data-testid=\"stSpinner\"]') &&"
           " !document.querySelector('[data-testid=\"stSkeleton\"]')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: str, config: str | None, port: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--", "--db", db]
    if config:
        cmd += ["--config", config]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"streamlit did not start; see {log}")


def machine_busy() -> float | None:
    """CPU seconds every core of the machine has spent busy since boot (/proc/stat); None where there is none."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user and system) one process has used (/proc/<pid>/stat); None where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def cpu_split(before: tuple, after: tuple) -> dict | None:
    """Where the CPU went between two (machine_busy, process_cpu of the server) readings."""
    if len(before) != 2 or None in before or None in after:
        return None
    machine, server = after[0] - before[0], after[1] - before[1]
    return {"machine_busy_s": round(machine, 1), "server_s": round(server, 1),
            "browsers_s": round(machine - server, 1), "server_share": round(server / machine, 3) if machine else None}


def choices(db: str) -> dict[str, list[str]]:
    """Teams and severities present in the database, for the filters the sessions pick."""
    import duckdb

    with duckdb.connect(db, read_only=True) as con:
        return {dim: [r[0] for r in con.execute(
            f"SELECT DISTINCT {dim} FROM postmortems WHERE {dim} IS NOT NULL ORDER BY 1").fetchall()]
            for dim in ("team", "severity")}


async def session(browser, url: str, until: float, options: dict, rng: random.Random, out: dict) -> None:
    """``reload`` mode: every page a new deep link."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    while time.monotonic() < until:
        target = f"{url}/{rng.choice(PAGES)}{link_filter(options, rng)}"
        t0 = time.perf_counter()
        try:
            await page.goto(target, timeout=PAGE_TIMEOUT_MS)
            await page.wait_for_function(DONE_JS, timeout=PAGE_TIMEOUT_MS)
            await finished(page, target, t0, out)
        except Exception as exc:  # a timeout or a crashed tab is a result to report, not a reason to stop
            out["errors"].append(f"{target}: {str(exc).splitlines()[0]}")
    await context.close()


def link_filter(options: dict, rng: random.Random) -> str:
    dim = rng.choice(["team", "severity", None])
    return f"?{dim}={rng.choice(options[dim])}" if dim and options[dim] else ""


async def finished(page, what: str, t0: float, out: dict, key: str = "times") -> None:
    if await page.locator("[data-testid='stException']").count():
        out["errors"].append(f"exception on {what}")
    else:
        out[key].append(time.perf_counter() - t0)


class Runs:
    """The runs the server finished for one page, counted from its websocket's messages: a mark in the page
    (Streamlit's data-test-script-state) missed runs short enough to start and end in one drawing."""

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.finished, self._message = 0, ForwardMsg
        early = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
        self._counted = {v for v in ForwardMsg.ScriptFinishedStatus.values() if v != early}
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, (bytes, bytearray)):
            msg = self._message()
            try:
                msg.ParseFromString(bytes(payload))
            except Exception:  # not a ForwardMsg: nothing to count
                return
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished in self._counted:
                self.finished += 1

    async def after(self, count: int, page) -> None:
        """Until a run ends after the ``count``-th, then until the page is drawn (DONE_JS)."""
        deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
        while self.finished <= count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no run finished within {PAGE_TIMEOUT_MS // 1000} s")
            await asyncio.sleep(0.05)
        await page.wait_for_function(DONE_JS, timeout=max(1, int((deadline - time.monotonic()) * 1000)))


async def open_app(browser, url: str, options: dict, rng: random.Random, out: dict):
    """``switch`` mode: a session opened on a deep link, with its runs counted; (page, context, path, runs)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    runs = Runs(page)
    path = rng.choice(PAGES)
    target = f"{url}/{path}{link_filter(options, rng)}"
    t0 = time.perf_counter()
    try:
        await page.goto(target, timeout=PAGE_TIMEOUT_MS)
        await page.wait_for_function(DONE_JS, timeout=PAGE_TIMEOUT_MS)
        await finished(page, target, t0, out, "opened")
    except Exception as exc:
        out["errors"].append(f"opening {target}: {str(exc).splitlines()[0]}")
        await context.close()
        return None
    return page, context, path, runs


async def switching(page, path: str, runs: Runs, until: float, options: dict, rng: random.Random, out: dict) -> None:
    """``switch`` mode: another page from the navigation, or another team or severity filter, until ``until``."""
    async def step(action) -> None:  # one change of the page, and its run to the end
        count = runs.finished
        await action()
        await runs.after(count, page)

    while time.monotonic() < until:
        t0 = time.perf_counter()
        if rng.random() < 0.6:
            path = rng.choice([p for p in PAGES if p != path])
            what = f"switch to {TITLES[path]}"
            link = page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=TITLES[path], exact=True)
            actions = [link.click]
        else:
            dim = rng.choice(list(LABELS))
            box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text=LABELS[dim])
            chosen = await box.locator("[data-tag]").all_inner_texts()
            value = rng.choice([None, *options[dim]])
            if value in chosen or (value is None and not chosen):
                continue  # no change, no run
            what = f"{dim} filter {value or 'cleared'}"
            actions = [box.locator("[data-tag] button").first.click for _ in chosen]  # each removal is a run

            async def choose(box=box, value=value):  # the option itself, once the list shows it: Enter could
                await box.locator("input").fill(value)  # come before the list had filtered, and choose nothing
                await page.get_by_role("option", name=value, exact=True).click()
            actions += [choose] if value else []
        try:
            for action in actions:
                await step(action)
            await page.keyboard.press("Escape")  # close the filter's list
            await finished(page, what, t0, out)
        except Exception as exc:
            out["errors"].append(f"{what}: {str(exc).splitlines()[0]}")
            return  # the page is in an unknown state: this session stops


async def drive(url: str, sessions: int, seconds: float, options: dict, seed: int, mode: str,
                started=lambda: None) -> dict:
    """The sessions' results; ``started`` is called when the clock starts."""
    from playwright.async_api import async_playwright

    out: dict = {"times": [], "errors": [], "opened": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"])
        rngs = [random.Random(seed + i) for i in range(sessions)]
        if mode == "reload":
            started()
            until = time.monotonic() + seconds
            await asyncio.gather(*(session(browser, url, until, options, rngs[i], out) for i in range(sessions)))
        else:
            opened = []
            for first in range(0, sessions, OPENING_AT_ONCE):
                opened += await asyncio.gather(*(open_app(browser, url, options, rngs[i], out)
                                                 for i in range(first, min(sessions, first + OPENING_AT_ONCE))))
            started()
            until = time.monotonic() + seconds
            await asyncio.gather(*(switching(s[0], s[2], s[3], until, options, rng, out)
                                   for s, rng in zip(opened, rngs) if s is not None))
            for s in opened:
                if s is not None:
                    await s[1].close()
        await browser.close()
    return out


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summarise(out: dict, sessions: int, seconds: float, cpu: dict | None = None, mode: str = "reload") -> dict:
    times, opened = out["times"], out.get("opened", [])
    return {"mode": mode, "sessions": sessions, "seconds": seconds, "pages": len(times), "errors": len(out["errors"]),
            "cpu": cpu,
            "opened": {"sessions": len(opened), "median_s": round(statistics.median(opened), 2),
                       "max_s": round(max(opened), 2)} if opened else None,
            "error_samples": out["errors"][:5],
            "median_s": round(statistics.median(times), 2) if times else None,
            "p90_s": round(quantile(times, 0.90), 2) if times else None,
            "p95_s": round(quantile(times, 0.95), 2) if times else None,
            "max_s": round(max(times), 2) if times else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the DuckDB file to serve (e.g. a 100k corpus)")
    parser.add_argument("--config", help="the configuration file the dashboard reads")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=("switch", "reload"), default="switch",
                        help="switch: sessions open, then switch pages and filters; reload: every page a new link")
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args()
    port = free_port()
    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    proc = start_server(args.db, args.config, port, log)
    try:
        options = choices(args.db)
        before: list = []
        out = asyncio.run(drive(f"http://127.0.0.1:{port}", args.sessions, args.seconds, options, args.seed,
                                args.mode, lambda: before.extend((machine_busy(), process_cpu(proc.pid)))))
        cpu = cpu_split(tuple(before), (machine_busy(), process_cpu(proc.pid)))  # from the clock's start
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    result = summarise(out, args.sessions, args.seconds, cpu, args.mode)
    if result["opened"]:
        print(f"{result['opened']['sessions']} of {args.sessions} sessions opened, {OPENING_AT_ONCE} at a time: "
              f"median {result['opened']['median_s']} s, max {result['opened']['max_s']} s")
    print(f"{result['sessions']} sessions ({args.mode}) for {result['seconds']:.0f} s: {result['pages']} pages finished, "
          f"{result['errors']} errors; time to a finished page median {result['median_s']} s, "
          f"p90 {result['p90_s']} s, p95 {result['p95_s']} s, max {result['max_s']} s")
    if cpu:
        print(f"CPU meanwhile: {cpu['machine_busy_s']} s busy in all; the server {cpu['server_s']} s "
              f"({cpu['server_share']:.0%}), the browsers and Playwright {cpu['browsers_s']} s")
    for sample in result["error_samples"]:
        print("  error:", sample)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
