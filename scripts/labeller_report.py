"""Reports of ``scripts/train_labeller.py``: block-label figures, the console summary and the Markdown
tables of docs/labeller.md, from the out-of-fold figures."""

from __future__ import annotations

from typing import Any

from corpus.evaluate.metrics import cohen_kappa
from corpus.labels import VIEWS

ARTICLE = VIEWS["article"]


def block_report(gold: list[str], pred: list[str], pages: int) -> dict[str, Any]:
    per = {}
    for lab in sorted(set(gold) | set(pred)):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        per[lab] = {"support": tp + fn, "precision": round(pr, 3), "recall": round(rc, 3),
                    "f1": round(2 * pr * rc / (pr + rc), 3) if pr + rc else 0.0}
    cg = ["content" if g in ARTICLE else "boilerplate" for g in gold]
    cp = ["content" if p in ARTICLE else "boilerplate" for p in pred]
    return {"pages": pages, "blocks": len(gold),
            "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold)), 3),
            "kappa": round(cohen_kappa(gold, pred), 3), "content_kappa": round(cohen_kappa(cg, cp), 3),
            "content_accuracy": round(sum(g == p for g, p in zip(cg, cp, strict=True)) / max(1, len(cg)), 3),
            "per_label": per}


def score_row(s) -> dict[str, Any]:
    return {"pages": s.n_pages, "empty": s.n_empty, "precision": round(s.precision, 4), "recall": round(s.recall, 4),
            "f1": round(s.f1, 4)}


def print_report(rep: dict[str, Any]) -> None:
    for source, r in rep.items():
        if source == "trafilatura-eval-dev":
            b = r.get("trafilatura", {})
            print(f"{source:22} body view  F1 {r['f1']:.3f} (P {r['precision']:.3f} R {r['recall']:.3f}, "
                  f"{r['pages']} pages, {r['empty']} empty)" + (f"   trafilatura F1 {b['f1']:.3f}" if b else ""))
        elif source == "wcxb-dev":
            for t, row in r.items():
                if not isinstance(row, dict):
                    continue
                b = row.get("trafilatura", {})
                base = f"   trafilatura F1 {b['f1']:.3f}" if b else ""
                print(f"{'wcxb-dev ' + t:22} article view F1 {row['f1']:.3f} (P {row['precision']:.3f} "
                      f"R {row['recall']:.3f}, {row['pages']} pages){base}")
        else:
            print(f"{source:22} blocks {r['blocks']} accuracy {r['accuracy']:.3f} kappa {r['kappa']:.3f} "
                  f"content kappa {r['content_kappa']:.3f}")


def markdown_report(rep: dict[str, Any]) -> str:
    """The out-of-fold figures as the Markdown tables of docs/labeller.md."""
    out = []
    t = rep.get("trafilatura-eval-dev")
    if t:
        out += ["| trafilatura-eval-dev (`trafilatura_segments`) | pages | empty | P | R | F1 |",
                "|---|---:|---:|---:|---:|---:|",
                f"| corpus-labeller, `body` view, out of fold | {t['pages']} | {t['empty']} | {t['precision']:.3f} | "
                f"{t['recall']:.3f} | **{t['f1']:.3f}** |"]
        if "trafilatura" in t:
            b = t["trafilatura"]
            out.append(f"| trafilatura `extract`, defaults | {b['pages']} | {b['empty']} | {b['precision']:.3f} | "
                       f"{b['recall']:.3f} | {b['f1']:.3f} |")
        out.append("")
    w = rep.get("wcxb-dev")
    if w:
        out += ["| wcxb-dev page type (`wcxb_word_f1`, `article` view) | pages | P | R | F1 | trafilatura F1 |",
                "|---|---:|---:|---:|---:|---:|"]
        for k, row in w.items():
            if isinstance(row, dict):
                b = row.get("trafilatura", {}).get("f1")
                out.append(f"| {k} | {row['pages']} | {row['precision']:.3f} | {row['recall']:.3f} | "
                           f"**{row['f1']:.3f}** | {'' if b is None else f'{b:.3f}'} |")
        out.append("")
    for source in ("bundled", "generated"):
        r = rep.get(source)
        if not r:
            continue
        out += [f"{source}: {r['pages']} pages, {r['blocks']} blocks; accuracy {r['accuracy']:.3f}, Cohen's κ "
                f"{r['kappa']:.3f} (13 labels); content vs boilerplate accuracy {r['content_accuracy']:.3f}, "
                f"κ {r['content_kappa']:.3f}", "", "| label | support | P | R | F1 |", "|---|---:|---:|---:|---:|"]
        out += [f"| {lab} | {v['support']} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} |"
                for lab, v in r["per_label"].items()]
        out.append("")
    return "\n".join(out)
