"""Field readers: the cost of one call on ordinary values, the time of pathological inputs, and
the YAML reader's speed on the demo corpus.

    .venv/bin/python bench/values_bench.py [--timeout 60] [--only calls|pathological|yaml]

Ordinary values show what each form costs per call (ISO dates must stay on the fast path, far
below the named-month forms read by dateutil). Pathological inputs are the ones issue 9 found
quadratic; each runs in a child process so a slow one can be cut at --timeout. Results are
printed, not asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import timeit
from pathlib import Path

import yaml

from pipeline import values

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"

def _clear() -> None:
    """Named-month dates are cached per distinct text; this shows the cost of a first sighting."""
    if hasattr(values, "_named_date"):
        values._named_date.cache_clear()


CALLS = [
    ("parse_date ISO", values.parse_date, ("2024-01-15",)),
    ("parse_date DD/MM/YYYY", values.parse_date, ("15/01/2024",)),
    ("parse_date yearless MM/DD", values.parse_date, ("01/20", values.date(2024, 1, 15))),
    ("parse_date 'Jan 15, 2024'", values.parse_date, ("Jan 15, 2024",)),
    ("parse_date '15 janvier 2024'", values.parse_date, ("15 janvier 2024",)),
    ("parse_date '15 janvier 2024', uncached", lambda text: (_clear(), values.parse_date(text)), ("15 janvier 2024",)),
    ("parse_timestamp ISO+zone", values.parse_timestamp, ("2026-05-05T11:19:00Z",)),
    ("parse_timestamp 'Sep 27 2017 13:06'", values.parse_timestamp, ("Sep 27 2017 13:06",)),
    ("parse_timestamp '10:15' on a day", values.parse_timestamp, ("10:15", values.date(2024, 3, 10))),
    ("parse_duration '1d 20h 38m'", values.parse_duration, ("1d 20h 38m",)),
    ("parse_number '~1,200'", values.parse_number, ("~1,200",)),
    ("parse_bool 'oui'", values.parse_bool, ("oui",)),
    ("find_date in a title", values.find_date, ("Post-mortem: checkout down on Jan 15, 2024",)),
]

PATHOLOGICAL = {
    "parse_number('1' + ' '*16000 + '!')": lambda: values.parse_number("1" + " " * 16000 + "!"),
    "parse_number('(' * 40000)": lambda: values.parse_number("(" * 40000),
    "parse_date('é' * 40000)": lambda: values.parse_date("é" * 40000),
    "parse_duration('(' * 40000)": lambda: values.parse_duration("(" * 40000),
    "parse_duration('1' * 40000 + 'x')": lambda: values.parse_duration("1" * 40000 + "x"),
    "find_date('é' * 1_000_000)": lambda: values.find_date("é" * 1_000_000),
    "find_date('1 ' * 500_000)": lambda: values.find_date("1 " * 500_000),
}


def per_call() -> None:
    print(f"{'call':<42} {'µs/call':>9}  (best of 7 runs of 1,000 calls: the least disturbed by other load)")
    for label, fn, args in CALLS:
        n = 1000
        seconds = min(timeit.repeat(lambda: fn(*args), number=n, repeat=7))
        print(f"{label:<42} {seconds / n * 1e6:9.1f}")


def _run(name: str, out) -> None:
    t0 = time.perf_counter()
    try:
        PATHOLOGICAL[name]()
        verdict = "parsed"
    except ValueError:
        verdict = "refused (ValueError)"
    out.put((time.perf_counter() - t0, verdict))


def pathological(timeout: float) -> None:
    print(f"{'input':<42} {'seconds':>9}  outcome")
    for name in PATHOLOGICAL:
        out = multiprocessing.Queue()
        child = multiprocessing.Process(target=_run, args=(name, out))
        child.start()
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join()
            print(f"{name:<42} {'>' + format(timeout, 'g'):>9}  cut at the timeout")
            continue
        seconds, verdict = out.get()
        print(f"{name:<42} {seconds:9.3f}  {verdict}")


def yaml_speed(rounds: int = 20) -> None:
    """Every .yaml file of the demo corpus, read `rounds` times by each reader."""
    from pipeline import yamlio  # here, so the other sections also run against an older pipeline/

    texts = [p.read_text(encoding="utf-8") for p in sorted(DEMO.rglob("*.yaml"))]
    readers = {"yaml.safe_load_all (before)": lambda t: list(yaml.safe_load_all(t)),
               "yamlio, pure-Python SafeLoader": lambda t: yamlio.load_all(t, loader=yamlio.PythonLoader),
               "yamlio, libyaml CSafeLoader": lambda t: yamlio.load_all(t, loader=yamlio.Loader)}
    print(f"{len(texts)} demo YAML files, {sum(map(len, texts)):,} characters, read {rounds} times")
    for label, read in readers.items():
        t0 = time.perf_counter()
        for _ in range(rounds):
            for text in texts:
                try:
                    read(text)
                except (yaml.YAMLError, ValueError):
                    pass  # the planted malformed file
        print(f"{label:<42} {(time.perf_counter() - t0) / rounds * 1000:9.1f} ms per pass")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--only", choices=("calls", "pathological", "yaml"))
    args = parser.parse_args()
    if args.only in (None, "calls"):
        per_call()
    if args.only in (None, "pathological"):
        pathological(args.timeout)
    if args.only in (None, "yaml"):
        yaml_speed()


if __name__ == "__main__":
    main()
