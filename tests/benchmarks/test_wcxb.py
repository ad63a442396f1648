"""The WCXB importer on a synthetic directory in the published layout, and on a sample of ../shared."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from corpus.dataset.splits import assign_split
from corpus.documents import load_documents
from corpus.errors import ConfigError
from corpus.formats import run_import
from corpus.model import Document
from tests.conftest import SHARED, require_shared

WCXB_DEV = SHARED / "benchmarks" / "wcxb-dev"
ARTICLE = ("<html><head><title>Tide tables</title></head><body><nav>Home | Login</nav>"
           "<h1>Tide tables</h1><p>{body}</p><footer>Terms of use</footer></body></html>")


def _truth(file_id: str, main: str | None, *, page_type: object = "article", title: str = "Tide tables",
           author: str | None = "Ann Lee", date: str | None = "2025-09-04") -> dict:
    gt: dict = {"title": title, "author": author, "publish_date": date, "with": [main[:20]] if main else [],
                "without": ["Home", "Terms of use"]}
    if main is not None:
        gt["main_content"] = main
    rec: dict = {"schema_version": "2.0", "url": f"https://site{file_id}.example.com/p", "file_id": file_id,
                 "ground_truth": gt}
    if page_type is not None:
        rec["_internal"] = {"page_type": page_type if isinstance(page_type, dict) else {"primary": page_type}}
    return rec


def _write(root: Path, split: str, file_id: str, truth: dict | None, html: str | None) -> None:
    (root / split / "ground-truth").mkdir(parents=True, exist_ok=True)
    (root / split / "html").mkdir(parents=True, exist_ok=True)
    if truth is not None:
        (root / split / "ground-truth" / f"{file_id}.json").write_text(json.dumps(truth), encoding="utf-8")
    if html is not None:
        (root / split / "html" / f"{file_id}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))


BODY_1 = "The tide rises twice a day along this coast, and the harbour opens at dawn."
BODY_2 = "Ebb and flow are driven by the moon; spring tides come after new and full moons."


@pytest.fixture
def wcxb_dir(tmp_path: Path) -> Path:
    root = tmp_path / "wcxb"
    _write(root, "dev", "0001", _truth("0001", BODY_1), ARTICLE.format(body=BODY_1))
    _write(root, "dev", "0002", _truth("0002", "Gold for a page that is not there."), None)  # missing html
    _write(root, "dev", "0003", _truth("0003", "Hidden."), "<html><body><script>var x;</script></body></html>")
    _write(root, "dev", "0004", _truth("0004", "", page_type=None), ARTICLE.format(body="Nothing to keep here."))
    _write(root, "dev", "0005", None, ARTICLE.format(body="A page without its ground truth file."))
    _write(root, "dev", "0006", _truth("0006", None, page_type={"primary": "category"}),
           ARTICLE.format(body="A category page whose gold lacks main_content."))
    _write(root, "test", "0101", _truth("0101", BODY_2, page_type="forum", author=None, date="None"),
           ARTICLE.format(body=BODY_2))
    meta = {"name": "WCXB", "files": {"0001": {"split": "dev", "page_type": "product"},
                                      "0004": {"split": "dev", "page_type": "listing"},
                                      "0101": {"split": "test", "page_type": "forum"}}}
    (root / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return root


def _run(src: Path, out: Path, **options: str) -> tuple[dict[str, Document], dict[str, str]]:
    summary = run_import("wcxb", src, out, **options)
    docs = {d.source.source_id: d for d in load_documents(out / "documents")}
    rejects = [json.loads(x) for x in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (summary.documents, summary.rejects) == (len(docs), len(rejects))
    return docs, {r["location"]: r["reason"] for r in rejects}


def test_both_splits_import_with_reference_checks_metadata_and_rejects(wcxb_dir, tmp_path):
    docs, rejects = _run(wcxb_dir, tmp_path / "out")
    assert sorted(docs) == ["0001", "0004", "0006", "0101"]
    assert rejects == {"dev/ground-truth/0002.json": "missing_page", "dev/ground-truth/0003.json": "no_text",
                       "dev/html/0005.html.gz": "missing_gold"}
    d = docs["0001"]
    assert d.reference.text == BODY_1 and d.reference.convention == "wcxb-main_content"
    assert d.checks.include == (BODY_1[:20],) and d.checks.exclude == ("Home", "Terms of use")
    assert (d.metadata.title, d.metadata.authors, d.metadata.date_published) == ("Tide tables", ("Ann Lee",),
                                                                                 "2025-09-04")
    assert d.annotation.metadata.status == "gold" and d.annotation.metadata.by == "wcxb"
    assert (d.source.source_dataset, d.source.license, d.source.split) == ("wcxb", "CC-BY-4.0", "dev")
    assert d.source.page_type == "article"  # the ground-truth file wins over metadata.json
    assert d.source.url == "https://site0001.example.com/p" and d.source.raw_path == "raw/wcxb/dev-0001.html.gz"
    assert [d.block_text(b) for b in d.blocks if b.label == "body"] == [BODY_1]
    assert docs["0004"].source.page_type == "listing"  # from metadata.json
    assert docs["0004"].reference.text == ""  # an empty reference is kept: the metric scores it
    assert docs["0006"].source.page_type == "collection" and docs["0006"].reference.text == ""
    t = docs["0101"]
    assert (t.source.split, t.source.page_type, t.metadata.authors, t.metadata.date_published) == (
        "test", "forum", (), None)
    # a benchmark's dev split is our validation split, its test split our test split: never train
    assert {k: assign_split(v) for k, v in docs.items()} == {"0001": "validation", "0004": "validation",
                                                             "0006": "validation", "0101": "test"}


def test_a_split_folder_itself_and_the_splits_option(wcxb_dir, tmp_path):
    docs, rejects = _run(wcxb_dir / "test", tmp_path / "a")
    assert list(docs) == ["0101"] and not rejects and docs["0101"].source.split == "test"
    docs, _ = _run(wcxb_dir, tmp_path / "b", splits="test")
    assert list(docs) == ["0101"]
    with pytest.raises(ConfigError, match="split"):
        run_import("wcxb", wcxb_dir, tmp_path / "c", splits="train")
    with pytest.raises(ConfigError, match="WCXB layout"):
        run_import("wcxb", tmp_path / "c", tmp_path / "d")
    with pytest.raises(ConfigError, match="unknown option"):
        run_import("wcxb", wcxb_dir, tmp_path / "e", pages="x")


def test_malformed_ground_truth_files_are_rejects_not_tracebacks(wcxb_dir, tmp_path):
    (wcxb_dir / "dev" / "ground-truth" / "0007.json").write_text("{not json", encoding="utf-8")
    _write(wcxb_dir, "dev", "0008", {"file_id": "0008", "ground_truth": None}, ARTICLE.format(body="x y z"))
    bad = _truth("0009", "Some gold.")
    bad["ground_truth"]["with"] = "not a list"
    _write(wcxb_dir, "dev", "0009", bad, ARTICLE.format(body="Some gold."))
    _, rejects = _run(wcxb_dir, tmp_path / "out")
    assert rejects["dev/ground-truth/0007.json"] == "malformed_entry"
    assert rejects["dev/ground-truth/0008.json"] == "missing_gold"
    assert rejects["dev/ground-truth/0009.json"] == "malformed_entry"


# -- the shared development split -----------------------------------------------------------------
#: A sample: pages of every page type, an empty and an absent main_content, a page with no visible text.
SAMPLE = ("0001", "0002", "0155", "0501", "0585", "0602", "2857", "4596", "4802", "4893")


def _published_page_type(record: dict) -> str:
    """The page type as WCXB's evaluator reads it."""
    pt = (record.get("_internal") or {}).get("page_type", {})
    pt = pt.get("primary", "article") if isinstance(pt, dict) else pt
    return "collection" if pt == "category" else pt


@pytest.mark.shared
def test_shared_dev_sample_imports_as_published(tmp_path):
    src = require_shared(WCXB_DEV)
    root = tmp_path / "wcxb"
    gt_dir = src / "dev" / "ground-truth"
    by_type: dict[str, list[str]] = {}
    for p in sorted(gt_dir.glob("*.json")):
        by_type.setdefault(_published_page_type(json.loads(p.read_text(encoding="utf-8"))), []).append(p.stem)
    ids = sorted(set(SAMPLE) | {fid for fids in by_type.values() for fid in fids[:2]})
    for fid in ids:
        for sub, suffix in (("ground-truth", ".json"), ("html", ".html.gz")):
            (root / "dev" / sub).mkdir(parents=True, exist_ok=True)
            shutil.copy(src / "dev" / sub / f"{fid}{suffix}", root / "dev" / sub / f"{fid}{suffix}")
    shutil.copy(src / "metadata.json", root / "metadata.json")
    docs, rejects = _run(root, tmp_path / "out")
    assert set(docs) | {loc.split("/")[-1].split(".")[0] for loc in rejects} == set(ids)
    assert rejects["dev/ground-truth/0155.json"] == "no_text"  # its text is inside <noscript>
    for fid, doc in docs.items():
        record = json.loads((gt_dir / f"{fid}.json").read_text(encoding="utf-8"))
        gt = record["ground_truth"]
        assert doc.reference.text == (gt.get("main_content") or "")
        assert list(doc.checks.include) == gt["with"] and list(doc.checks.exclude) == gt["without"]
        assert doc.source.page_type == _published_page_type(record)
        assert (doc.source.split, doc.source.url, doc.source.license) == ("dev", record["url"], "CC-BY-4.0")
        assert doc.text.strip()
    assert docs["0602"].reference.text == "" and docs["4893"].reference.text == ""  # empty, absent
    assert set(Counter(d.source.page_type for d in docs.values())) == set(by_type)

    from corpus.validation import validate_paths

    report = validate_paths([tmp_path / "out" / "documents"])
    assert report.ok, [p for p in report.problems if p.severity == "error"][:5]
