"""The label-distribution plot of the dataset card (PNG), drawn with matplotlib when it is installed.

matplotlib comes with the ``bench`` extra; without it the build writes no plot and the card says so.
The figure is drawn on an Agg canvas (no display, no global pyplot state) with fixed size, fonts and
PNG metadata, so the same counts give the same bytes with the same matplotlib version.
"""

from __future__ import annotations

import io
from pathlib import Path

from corpus.dataset.stats import UNLABELLED, CorpusStats
from corpus.labels import BLOCK_LABELS, CONTENT_LABELS

#: What the card says when the plot could not be drawn.
NO_PLOT_REASON = "matplotlib is not installed (it comes with the `bench` extra: `pip install 'webcorpus[bench]'`)"
_CONTENT, _BOILERPLATE, _NONE = "#1f6f8b", "#b0b7bf", "#e0a040"


def label_plot_png(stats: CorpusStats) -> bytes | None:
    """PNG bytes of a horizontal bar chart of blocks per label (label order of the schema), or None
    when matplotlib is not installed."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    labels = list(BLOCK_LABELS) + ([UNLABELLED] if stats.block_labels.get(UNLABELLED) else [])
    counts = [stats.block_labels.get(x, 0) for x in labels]
    total = sum(counts) or 1
    colours = [_NONE if x == UNLABELLED else _CONTENT if x in CONTENT_LABELS else _BOILERPLATE for x in labels]
    fig = Figure(figsize=(7.0, 0.32 * len(labels) + 1.1), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = list(range(len(labels)))[::-1]
    ax.barh(y, counts, color=colours)
    ax.set_yticks(y, labels)
    ax.set_xlabel("blocks (dark: content labels, grey: boilerplate)")
    ax.set_title(f"Block labels: {total} blocks in {stats.documents} documents", fontsize=10)
    for yi, n in zip(y, counts, strict=True):
        ax.annotate(f"{n} ({n / total:.1%})", (n, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_xlim(0, max(counts + [1]) * 1.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    # tight_layout leaves a placeholder layout engine behind, which makes savefig draw the whole figure
    # once more before the real draw only to lay it out again; the layout is done: no engine.
    fig.set_layout_engine(None)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def write_label_plot(stats: CorpusStats, path: Path) -> bool:
    """Write the plot to ``path``; False (nothing written) without matplotlib."""
    png = label_plot_png(stats)
    if png is None:
        return False
    path.write_bytes(png)
    return True
