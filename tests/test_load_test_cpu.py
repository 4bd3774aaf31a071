"""bench/load_test.py says where the machine's CPU went during a run: the server's process, and the rest
(the browsers), read from /proc."""

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import load_test  # noqa: E402

pytestmark = pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads Linux's /proc")


def test_a_process_that_burns_cpu_reads_as_having_used_it():
    child = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.5: pass\ninput()"],
                             stdin=subprocess.PIPE, text=True)
    try:
        used = None
        for _ in range(100):  # until the child has burnt its half second and waits on its input
            used = load_test.process_cpu(child.pid)
            if used is not None and used >= 0.5:
                break
            subprocess.run(["sleep", "0.1"])
        assert 0.5 <= used < 5
        assert load_test.machine_busy() >= used  # the machine was busy at least as long as the child
    finally:
        child.communicate("\n")


def test_the_split_is_the_server_and_everything_else():
    # 20 s busy in all between the readings, 2 of them the server's: 18 s and a tenth
    assert load_test.cpu_split((100.0, 1.0), (120.0, 3.0)) == {
        "machine_busy_s": 20.0, "server_s": 2.0, "browsers_s": 18.0, "server_share": 0.1}
    assert load_test.cpu_split((None, 1.0), (120.0, 3.0)) is None  # no /proc: nothing to say
    assert load_test.process_cpu(2 ** 22 + 12345) is None  # no such process
