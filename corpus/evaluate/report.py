"""Rendering ``corpus bench`` results: text table, Markdown leaderboard, JSON, per-page JSONL, plots."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpus.errors import install_hint
from corpus.evaluate.bench import BenchResult
from corpus.evaluate.entities import ENTITY_MODES, format_entity_table


def _f(x: float | None, nd: int = 3) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def _sorted_rows(result: BenchResult) -> list[dict[str, Any]]:
    return sorted(result.rows(), key=lambda r: (r["metric"], -r["f1"], r["system"]))


def _pages_per_s(row: dict[str, Any], cpu: float | None) -> str:
    s = cpu if cpu else row["seconds"]
    return "–" if not s or s < 0.01 else f"{row['n_pages'] / s:.1f}"


def _escape_md(s: Any) -> str:
    return str(s).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


HEADER = ("system", "version", "metric", "pages", "empty", "failed", "P", "R", "F1", "± F1", "acc.", "s", "CPU s",
          "pages/CPU s")


def _cells(r: dict[str, Any], cpu: dict[str, float | None]) -> list[str]:
    return [r["system"], str(r["version"] or "–"), r["metric"], str(r["n_pages"]), str(r["n_empty"]),
            str(r["n_failed"]), _f(r["precision"]), _f(r["recall"]), _f(r["f1"]), _f(r["f1_std"]),
            _f(r["accuracy"]), _f(r["seconds"], 1), _f(cpu.get(r["system"]), 1),
            _pages_per_s(r, cpu.get(r["system"]))]


def _cpu(result: BenchResult) -> dict[str, float | None]:
    return {r.system: r.cpu_seconds for r in result.runs}


BLOCK_HEADER = ("label", "P", "R", "F1", "support")


def block_rows(scores: dict[str, Any]) -> list[list[str]]:
    """Per-label rows of one system's block scores, then content vs boilerplate."""
    rows = [[label, _f(v["precision"]), _f(v["recall"]), _f(v["f1"]), str(int(v["support"]))]
            for label, v in scores["per_label"].items()]
    c = scores["content"]
    rows.append(["content (vs boilerplate)", _f(c["precision"]), _f(c["recall"]), _f(c["f1"]), ""])
    return rows


def _block_summary(system: str, scores: dict[str, Any]) -> str:
    c = scores["content"]
    return (f"blocks: {system} ({scores['n_docs']} documents, {scores['n_missing_docs']} without a prediction, "
            f"{scores['n_blocks']} labelled gold blocks): accuracy {_f(scores['accuracy'])}, kappa "
            f"{_f(scores['kappa'])}; content vs boilerplate accuracy {_f(c['accuracy'])}, kappa {_f(c['kappa'])}")


def render_text(result: BenchResult) -> str:
    cpu = _cpu(result)
    lines: list[str] = []
    if result.scores or not (result.blocks or result.entities):
        rows = [list(HEADER)] + [_cells(r, cpu) for r in _sorted_rows(result)]
        widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
        lines += ["  ".join(c.ljust(w) if i < 3 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(row, widths, strict=True))) for row in rows]
    for metric, systems in result.breakdown.get("page_type", {}).items():
        header, body = _group_rows(systems)
        lines += ["", f"F1 by page type ({metric})", *_columns([header, *body])]
    info = result.corpus
    skipped = ", ".join(f"{m}: {v['n_skipped']} skipped" for m, v in info["metrics"].items()) if result.scores else ""
    lines.append(f"\n{info['n_documents']} documents" + (f" ({skipped})" if skipped else ""))
    for system, scores in sorted(result.blocks.items()):
        lines += ["", _block_summary(system, scores), *_columns([list(BLOCK_HEADER), *block_rows(scores)])]
    for system, scores in sorted(result.entities.items()):
        lines += ["", f"entities: {system} ({scores['n_docs']} documents, {scores['n_missing_docs']} without a "
                      "prediction)", *format_entity_table(scores)]
    return "\n".join(lines) + "\n"


def _entity_markdown(entities: dict[str, Any]) -> list[str]:
    """One table per system: every entity mode overall and per label (docs/metrics.md)."""
    lines = ["## Entities", ""]
    for system, scores in sorted(entities.items()):
        rows = [["overall", mode, _f(v["precision"]), _f(v["recall"]), _f(v["f1"])]
                for mode, v in ((m, scores["overall"][m]) for m in ENTITY_MODES)]
        rows += [[lab, mode, _f(modes[mode]["precision"]), _f(modes[mode]["recall"]), _f(modes[mode]["f1"])]
                 for lab, modes in scores["per_label"].items() for mode in ENTITY_MODES]
        lines += [f"`{_escape_md(system)}`: {scores['n_docs']} documents, {scores['n_missing_docs']} without a "
                  "prediction", ""]
        lines += _md_table(("label", "mode", "P", "R", "F1"), rows) + [""]
    return lines


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as aligned text columns (the first left-aligned, the others right-aligned)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            for row in rows]


def _group_rows(systems: dict[str, dict[str, Any]], max_groups: int | None = None) -> tuple[list[str], list[list[str]]]:
    """Header ``system, group (pages)...`` (largest groups first) and one F1 row per system."""
    groups = sorted({g for v in systems.values() for g in v},
                    key=lambda g: (-max(v.get(g, {}).get("n_pages", 0) for v in systems.values()), g))
    shown = groups[:max_groups] if max_groups is not None else groups
    n = {g: max(v.get(g, {}).get("n_pages", 0) for v in systems.values()) for g in shown}
    header = ["system", *(f"{g} ({n[g]})" for g in shown)]
    rows = [[s, *(_f(v[g]["f1"]) if g in v else "–" for g in shown)]
            for s, v in sorted(systems.items(), key=lambda kv: (-_overall(kv[1]), kv[0]))]
    return header, rows


def _overall(groups: dict[str, Any]) -> float:
    """Page-weighted mean F1 over the groups (orders the rows; exact for macro-averaged metrics)."""
    n = sum(g["n_pages"] for g in groups.values())
    return sum(g["f1"] * g["n_pages"] for g in groups.values()) / n if n else 0.0


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_escape_md(c) for c in row) + " |" for row in rows]
    return out


def render_markdown(result: BenchResult, *, max_groups: int = 20) -> str:
    info = result.corpus
    lines = ["# Leaderboard", "",
             f"Corpus `{_escape_md(info['path'])}`: {info['n_documents']} documents, digest `{info['digest'][:16]}`; "
             f"bootstrap {info['bootstrap']} resamples, seed {info['seed']}.", ""]
    cpu = _cpu(result)
    if result.scores or not (result.blocks or result.entities):
        for m, v in info["metrics"].items():
            lines.append(f"- `{m}`: {v['n_pages']} pages scored, {v['n_skipped']} without the needed gold")
        lines.append("")
        lines += _md_table(HEADER, [_cells(r, cpu) for r in _sorted_rows(result)])
        lines += ["", "P, R, F1 and accuracy as defined in docs/metrics.md; ± F1 is the standard deviation of a "
                  "seeded bootstrap over pages; s / CPU s are the summed per-page wall-clock / CPU times of the "
                  "extraction calls (CPU time is robust to other load on the machine); pages/CPU s = pages / CPU s.",
                  ""]
    if result.comparisons:
        lines += ["## Paired bootstrap differences (F1 of a − F1 of b)", ""]
        rows = [[d.metric, d.a, d.b, f"{d.observed:+.3f}", _f(d.std), _f(d.p_not_better)]
                for d in sorted(result.comparisons, key=lambda d: (d.metric, -abs(d.observed)))]
        lines += _md_table(("metric", "a", "b", "Δ F1", "± (std)", "P(a ≤ b)"), rows) + [""]
    for dim in ("page_type", "source", "language", "site"):
        per_metric = result.breakdown.get(dim, {})
        if not per_metric:
            continue
        lines += [f"## F1 by {dim.replace('_', ' ')}", ""]
        for metric, systems in per_metric.items():
            n_groups = len({g for v in systems.values() for g in v})
            header, rows = _group_rows(systems, max_groups)
            lines += [f"`{metric}`" + (f" (largest {max_groups} of {n_groups} groups)" if n_groups > max_groups
                                        else ""), ""]
            lines += _md_table(header, rows) + [""]
    if result.blocks:
        lines += ["## Block labels", ""]
        for system, scores in sorted(result.blocks.items()):
            lines += [_escape_md(_block_summary(f"`{system}`", scores)).replace("blocks: ", "", 1), ""]
            lines += _md_table(BLOCK_HEADER, [[_escape_md(c) for c in row] for row in block_rows(scores)]) + [""]
    if result.entities:
        lines += _entity_markdown(result.entities)
    return "\n".join(lines)


def per_page_rows(result: BenchResult) -> list[dict[str, Any]]:
    out = []
    for (system, metric), score in sorted(result.scores.items()):
        for row in score.per_page:
            out.append({"system": system, "metric": metric, **row})
    return out


def write_outputs(result: BenchResult, out_dir: str | os.PathLike[str], *, plots: bool = True) -> list[Path]:
    """Write ``leaderboard.md``, ``results.json``, ``per_page.jsonl`` and (matplotlib permitting) plots."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    data = result.as_json()
    data["comparisons"] = [d.as_dict() for d in result.comparisons]
    data["breakdown"] = result.breakdown
    for key in ("blocks", "entities"):
        if getattr(result, key, None):
            data[key] = getattr(result, key)
    for name, text in (
        ("results.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n"),
        ("leaderboard.md", render_markdown(result)),
        ("per_page.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in per_page_rows(result))),
    ):
        p = out / name
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
        written.append(p)
    if plots and result.scores:
        written += write_plots(result, out)
    return written


def write_plots(result: BenchResult, out: Path) -> list[Path]:
    """F1 with bootstrap ± per system, and precision vs recall; one PNG each per metric."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        import sys

        print(f"warning: matplotlib is not installed ({install_hint('bench')}); no plots", file=sys.stderr)
        return []
    written = []
    rows = _sorted_rows(result)
    for metric in sorted({r["metric"] for r in rows}):
        mr = [r for r in rows if r["metric"] == metric][::-1]
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(mr) + 1.2))
        ax.barh([r["system"] for r in mr], [r["f1"] for r in mr],
                xerr=[r["f1_std"] or 0.0 for r in mr], color="#4c72b0", capsize=3)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"F1 ({metric}), ± bootstrap std")
        fig.tight_layout()
        p = out / f"f1_{metric}.png"
        fig.savefig(p, dpi=100)
        plt.close(fig)
        written.append(p)
        fig, ax = plt.subplots(figsize=(6, 6))
        for r in mr:
            ax.scatter(r["recall"], r["precision"], color="#dd8452")
            ax.annotate(r["system"], (r["recall"], r["precision"]), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_title(metric)
        fig.tight_layout()
        p = out / f"precision_recall_{metric}.png"
        fig.savefig(p, dpi=100)
        plt.close(fig)
        written.append(p)
    return written
