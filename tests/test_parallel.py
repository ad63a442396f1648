"""corpus.parallel.ProcessMap: stopping workers never leaves the interpreter hanging at exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import sigint_default

ROOT = Path(__file__).resolve().parents[1]

#: A result large enough that the pipe transfer is in progress when the Ctrl-C lands.
SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading
    from corpus.parallel import ProcessMap
    from tests.test_parallel import big

    if __name__ == "__main__":
        pm = ProcessMap(1)
        threading.Timer(float(sys.argv[1]), lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        try:
            for _ in pm.map(big, [(i,) for i in range(6)]):
                pass
        except KeyboardInterrupt:
            print("interrupted")
""")


def big(i: int) -> bytes:
    return b"x" * (400 * 2**20)


@pytest.mark.parametrize("delay", ["0.8", "1.2", "1.6"])
def test_a_worker_killed_while_sending_a_result_does_not_hang_the_exit(delay: str, tmp_path) -> None:
    # before: the pool's manager thread waited for the rest of a half-sent result, and the interpreter
    # waited for it at exit, for ever
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), delay], cwd=ROOT, capture_output=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, preexec_fn=sigint_default)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().strip() == "interrupted"
