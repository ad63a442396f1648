"""Ctrl-C during ``corpus ingest --jobs 2``: stops at once, says how to go on, leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_resume import make_inputs, tree

from corpus.ingestion.engine import SLEEP_ENV
from tests.conftest import sigint_default

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")

#: Each worker sleeps this long after a shard: far longer than the wait below, so only stopping the
#: workers (not waiting for them) ends the command in time.
WORKER_SLEEP = "120"
HANG_GUARD_SECONDS = 30


def cmd(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "corpus", "ingest", str(src), "--out", str(out), "--jobs", "2",
            "--files-per-shard", "2", "--no-preannotate", "-q"]


def session_members(sid: int) -> list[int]:
    """Processes (other than zombies) whose session id is ``sid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry))
    return found


def interrupt(args: list[str], out: Path, presses: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, **{SLEEP_ENV: WORKER_SLEEP})
    proc = subprocess.Popen(args, env=env, start_new_session=True, preexec_fn=sigint_default,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    work = out / ".ingest" / "work"
    while not list(work.glob("*.done")):  # the workers are busy (sleeping after their first shard)
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "no shard finished"
        time.sleep(0.05)
    assert len(session_members(proc.pid)) >= 3  # the command and its two workers
    for _ in range(presses):  # as a terminal does: the signal goes to the whole foreground group
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.1)
    try:
        stdout, stderr = proc.communicate(timeout=HANG_GUARD_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError("the command did not stop on Ctrl-C") from None
    left = session_members(proc.pid)
    for _ in range(50):  # multiprocessing's resource tracker exits when it sees the parent's pipe close
        if not left:
            break
        time.sleep(0.1)
        left = session_members(proc.pid)
    assert left == [], f"processes left behind: {left}"
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_stops_the_workers_and_the_rerun_resumes(tmp_path, presses):
    src = make_inputs(tmp_path)
    ref = tmp_path / "ref"
    subprocess.run(cmd(src, ref), check=True, timeout=120)
    out = tmp_path / "out"
    result = interrupt(cmd(src, out), out, presses)
    err = result.stderr.decode()
    assert result.returncode == 130, err
    assert "interrupted; rerun to resume" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not (out / ".ingest" / "done").exists() and list((out / ".ingest" / "work").glob("*.done"))
    rerun = subprocess.run(cmd(src, out), timeout=120, capture_output=True)
    assert rerun.returncode == 0, rerun.stderr.decode()
    assert tree(out) == tree(ref)
