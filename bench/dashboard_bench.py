"""Page render time after a filter change, through Streamlit's AppTest on the demo database.

    .venv/bin/python bench/dashboard_bench.py [--db FILE] [--repeat 3]

The goal: any page re-renders in under a second after a filter change. Each page is opened
once (warm-up), then the team filter is changed and the rerun timed, with the query cache
cleared first ("cold") and kept ("warm", what a user sees when returning to a selection)."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview", "actions", "causes", "timeliness", "quarterly", "escalations", "postmortems"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    db = args.db
    if not db:
        db = str(Path(tempfile.mkdtemp()) / "bench.duckdb")
        subprocess.run([sys.executable, "-m", "hindsight", "ingest", str(ROOT / "data" / "demo"), "--db", db,
                        "--quiet"], check=False, cwd=ROOT)
    os.environ["HINDSIGHT_DB"] = db
    os.environ["HINDSIGHT_CONFIG"] = str(ROOT / "examples" / "demo.yaml")
    sys.path.insert(0, str(ROOT / "tests"))

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from hindsight.demo import REF_TODAY

    folder = "views" if (ROOT / "views").exists() else "pages"
    print(f"{'page':<12} {'cold (s)':>9} {'warm (s)':>9}")
    for name in PAGES:
        cold, warm = [], []
        for _ in range(args.repeat):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.query_params["as_of"] = REF_TODAY.isoformat()
            at.run()
            at.switch_page(f"{folder}/{name}.py")
            at.run()
            for teams, sink in ((["payments"], cold), ([], None), (["payments"], warm)):
                at.sidebar.multiselect(key="flt_team").set_value(teams)
                if sink is cold:
                    st.cache_data.clear()
                t0 = time.perf_counter()
                at.run()
                if sink is not None:
                    sink.append(time.perf_counter() - t0)
                if at.exception:
                    raise SystemExit(f"{name}: {at.exception[0].message}")
        print(f"{name:<12} {statistics.median(cold):9.2f} {statistics.median(warm):9.2f}")


if __name__ == "__main__":
    main()
