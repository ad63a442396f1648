"""What keeps the build's peak memory down: datasketch without scipy.integrate, the build's Arrow pool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
from build_helpers import make_corpus

from corpus.dataset.build import build

REPO = Path(__file__).resolve().parents[2]

_DEDUP_BUILD = r"""
import json, sys
from corpus.dataset.build import build
build(sys.argv[1], sys.argv[2])
loaded = "scipy.integrate" in sys.modules
from corpus.dataset.dedup import datasketch
lsh = datasketch().MinHashLSH(threshold=0.5, num_perm=16)  # no bands given: datasketch integrates
print(json.dumps({"integrate_during_build": loaded,
                  "bands_rows": [lsh.b, lsh.r], "integrate_after": "scipy.integrate" in sys.modules}))
"""


def test_deduplicating_build_does_not_load_scipy_integrate(tmp_path: Path) -> None:
    make_corpus(tmp_path / "c", 12)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", _DEDUP_BUILD, str(tmp_path / "c"), str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, check=True, cwd=tmp_path)
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["integrate_during_build"] is False
    # datasketch still works where it needs scipy: MinHashLSH choosing its own banding
    assert got["integrate_after"] is True
    assert got["bands_rows"][0] * got["bands_rows"][1] <= 16 and got["bands_rows"][1] > 1


def test_build_restores_the_default_arrow_pool(tmp_path: Path) -> None:
    make_corpus(tmp_path / "c", 8)
    before = pa.default_memory_pool().backend_name
    build(tmp_path / "c", tmp_path / "out")
    assert pa.default_memory_pool().backend_name == before
    try:
        jemalloc = pa.jemalloc_memory_pool()
    except NotImplementedError:
        return
    if before != jemalloc.backend_name:
        assert jemalloc.max_memory() > 0  # the build's rows were allocated there
