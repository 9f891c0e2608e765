"""Small matplotlib charts for model cards and the monitoring report, rendered to PNG bytes.

matplotlib is imported when a chart is drawn (never at import time) and always with the Agg
backend, so no display is needed. Labels are Dutch: people read these charts.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

COLOURS = ("#1f5f8b", "#d9822b", "#3c8d40", "#a23b72", "#6c6c6c", "#c0392b", "#7f6df2")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _empty(ax: Any, text: str = "nog geen gegevens") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#6c6c6c")
    ax.set_xticks([])
    ax.set_yticks([])


def calibration(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                title: str = "Kalibratie") -> bytes:
    """``curves``: name -> (mean predicted score per bin, observed share positive per bin)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="#9a9a9a", label="perfect gekalibreerd")
    drawn = False
    for colour, (name, (predicted, observed)) in zip(COLOURS, curves.items(), strict=False):
        if len(predicted):
            ax.plot(predicted, observed, marker="o", color=colour, label=name)
            drawn = True
    if not drawn:
        _empty(ax)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("voorspelde score")
    ax.set_ylabel("aandeel positieve uitkomst")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    return _png(fig)


def histograms(groups: Mapping[str, np.ndarray], *, title: str, xlabel: str = "score", bins: int = 20) -> bytes:
    """Overlaid, normalised histograms of one value for several groups (e.g. hires and rejections)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    values = [np.asarray(v, dtype=np.float64) for v in groups.values()]
    if not any(len(v) for v in values):
        _empty(ax)
    else:
        edges = np.linspace(0.0, max(1.0, max(float(v.max()) for v in values if len(v))), bins + 1)
        for colour, (name, v) in zip(COLOURS, groups.items(), strict=False):
            if len(v):
                ax.hist(v, bins=edges, alpha=0.55, color=colour, density=True, label=f"{name} (n={len(v)})")
        ax.legend(fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("dichtheid")
    ax.set_title(title)
    return _png(fig)


def grouped_bars(categories: Sequence[str], series: Mapping[str, Sequence[float]], *, title: str,
                 ylabel: str, log: bool = False) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(min(11.0, max(6.0, 0.3 * len(categories) * max(1, len(series)) + 2)), 4))
    if not categories:
        _empty(ax)
    else:
        width = 0.8 / max(1, len(series))
        x = np.arange(len(categories))
        for k, (colour, (name, values)) in enumerate(zip(COLOURS, series.items(), strict=False)):
            ax.bar(x + k * width - 0.4 + width / 2, np.asarray(values, dtype=np.float64), width=width, color=colour,
                   label=name)
        ax.set_xticks(x)
        ax.set_xticklabels(categories, rotation=20 if len(categories) > 4 else 0, ha="right" if
                           len(categories) > 4 else "center", fontsize=8)
        if log:
            ax.set_yscale("symlog")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8, loc="best")
    ax.set_title(title)
    return _png(fig)


def lines(x: Sequence[str], series: Mapping[str, Sequence[float]], *, title: str, ylabel: str) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    if not x:
        _empty(ax)
    else:
        for colour, (name, values) in zip(COLOURS, series.items(), strict=False):
            ax.plot(range(len(x)), values, marker=".", color=colour, label=name)
        step = max(1, len(x) // 10)
        ax.set_xticks(range(0, len(x), step))
        ax.set_xticklabels(list(x)[::step], rotation=30, ha="right", fontsize=8)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)
    ax.set_title(title)
    return _png(fig)
