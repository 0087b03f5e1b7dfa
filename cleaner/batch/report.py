"""`newsclean report OUT`: one self-contained HTML page drawing a batch's stats.json.

The page holds its charts as inline SVG (drawn by matplotlib, the optional extra
`pip install 'newsclean[report]'`): no script, no file or network access, so it opens anywhere
and can be mailed. Charts, each a `<figure>` with an id:

    chart-categories    characters removed per category (blocks in the labels)
    chart-sites         kept and removed characters of the sites with the most documents
    chart-kept-share    documents per kept share (kept / (kept + removed) characters)
    chart-most-removed  the documents with the most characters removed

and tables: totals, throughput, languages, warnings, errors.
"""
from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

from ..errors import CleanerError
from ..read.files import check_output, write_atomic
from .stats import STATS_NAME, load_stats, stats_path_for

REPORT_NAME = "report.html"
# Bars per chart at most (sites and documents beyond are left out of the chart, not of stats.json).
CHART_ROWS = 20
# Document and site names are cut to this many characters in chart labels.
LABEL_CHARS = 48
# Chart size in inches (matplotlib's unit; the SVG scales to the page width).
CHART_WIDTH_IN = 9.0
ROW_HEIGHT_IN = 0.32
KEPT_COLOR = "#4c9a5b"
REMOVED_COLOR = "#c8553d"
BAR_COLOR = "#3a6ea5"
EXTRA_HINT = "pip install 'newsclean[report]'"

_SVG_START = re.compile(r"<svg\b")

# The shape of stats.json the page needs (see batch.stats): key -> type at the top level; the
# entries of the mappings and lists below. Other keys are optional (read with .get).
_COUNT = (int,)
_NUMBER = (int, float)
STATS_TOP = {"documents": _COUNT, "cleaned": _COUNT, "failed": _COUNT, "emptied": _COUNT,
             "with_warnings": _COUNT, "bytes_in": _COUNT, "chars_kept": _COUNT, "chars_removed": _COUNT,
             "blocks_removed": _COUNT, "categories": (dict,), "sites": (dict,), "kept_share": (dict,),
             "most_removed": (list,)}
STATS_OPTIONAL = {"sites_total": _COUNT, "throughput": (dict,), "languages": (dict,),
                  "warnings": (dict,), "errors": (dict,)}
STATS_CATEGORY = {"blocks": _COUNT, "chars": _COUNT}
STATS_SITE = {"documents": _COUNT, "chars_kept": _COUNT, "chars_removed": _COUNT}
STATS_KEPT_SHARE = {"bins": (list,), "documents": (list,)}
STATS_MOST_REMOVED = {"document": (str,), "site": (str,), "chars_kept": _COUNT, "chars_removed": _COUNT}


class ReportError(CleanerError):
    """The report cannot be made: no stats.json, or the plotting extra is not installed."""


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ReportError(f"the report's charts need matplotlib: {EXTRA_HINT}") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _shape_problem(value: Any, shape: dict[str, tuple[type, ...]], where: str,
                   optional: bool = False) -> str | None:
    """The first key of `shape` missing from dict `value` or of another type, as 'WHERE.KEY is
    missing' / 'WHERE.KEY is not a list'; None when all fit. Booleans are not counts."""
    if not isinstance(value, dict):
        return f"{where or 'the file'} is not an object"
    for key, types in shape.items():
        name = f"{where}.{key}" if where else key
        if key not in value:
            if optional:
                continue
            return f"{name} is missing"
        v = value[key]
        if v is None and optional:
            continue
        if isinstance(v, bool) or not isinstance(v, types):
            return f"{name} is not {'a number' if types in (_COUNT, _NUMBER) else 'a ' + _TYPE_NAMES[types[0]]}"
    return None


_TYPE_NAMES = {dict: "mapping", list: "list", str: "string", int: "number"}


def stats_problem(stats: dict[str, Any]) -> str | None:
    """What keeps `stats` (a parsed stats.json) from being drawn, e.g. 'chars_kept is missing' or
    'categories.nav.chars is not a number'; None when it has every key and type the page reads."""
    problem = _shape_problem(stats, STATS_TOP, "") or _shape_problem(stats, STATS_OPTIONAL, "", True)
    if problem:
        return problem
    for key, shape in (("categories", STATS_CATEGORY), ("sites", STATS_SITE)):
        for name, entry in stats[key].items():
            problem = _shape_problem(entry, shape, f"{key}.{name}")
            if problem:
                return problem
    for key in ("languages", "warnings", "errors"):
        for name, count in (stats.get(key) or {}).items():
            if isinstance(count, bool) or not isinstance(count, _COUNT):
                return f"{key}.{name} is not a number"
    share = stats["kept_share"]
    problem = _shape_problem(share, STATS_KEPT_SHARE, "kept_share")
    if problem:
        return problem
    bins, counts = share["bins"], share["documents"]
    if len(bins) < 2 or any(isinstance(b, bool) or not isinstance(b, _NUMBER) for b in bins):
        return "kept_share.bins is not a list of two or more numbers"
    if len(counts) != len(bins) - 1 or any(isinstance(c, bool) or not isinstance(c, _COUNT) for c in counts):
        return "kept_share.documents is not one count per bin"
    for i, entry in enumerate(stats["most_removed"]):
        problem = _shape_problem(entry, STATS_MOST_REMOVED, f"most_removed[{i}]")
        if problem:
            return problem
    return None


def stats_file_of(out: str | Path) -> Path:
    """The stats.json of a batch output: OUT_DIR/stats.json, out.stats.json beside out.jsonl(.gz),
    or `out` itself when it is a .json statistics file."""
    out = Path(out)
    if out.is_dir():
        return out / STATS_NAME
    if out.name.endswith(".json") and not out.name.endswith(".jsonl"):
        return out
    return stats_path_for(out, "jsonl")


def report_path_for(stats_file: Path) -> Path:
    """report.html beside stats.json; out.report.html beside out.stats.json."""
    name = stats_file.name
    stem = name[: -len(STATS_NAME)] if name.endswith(STATS_NAME) else Path(name).stem + "."
    return stats_file.with_name(stem + REPORT_NAME)


def _cut(text: str, n: int = LABEL_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _svg(fig: Any, plt: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    m = _SVG_START.search(text)
    return text[m.start():] if m else text


def _barh(plt: Any, labels: list[str], series: list[tuple[str, list[float], str]], xlabel: str) -> str:
    """Horizontal bars, the first label at the top; several series are stacked."""
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 0.8 + ROW_HEIGHT_IN * max(1, len(labels))))
    ys = list(range(len(labels)))[::-1]
    left = [0.0] * len(labels)
    for name, values, color in series:
        ax.barh(ys, values, left=left, color=color, label=name)
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(ys)
    ax.set_yticklabels(labels)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))   # 2,500,000 not 2.5 1e6
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:   # above the bars, never over them
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(series), frameon=False)
    return _svg(fig, plt)


def chart_categories(plt: Any, stats: dict[str, Any]) -> str | None:
    cats = sorted(stats["categories"].items(), key=lambda kv: (-kv[1]["chars"], kv[0]))
    if not cats:
        return None
    labels = [f"{c} ({v['blocks']:,} blocks)" for c, v in cats]
    return _barh(plt, labels, [("removed", [v["chars"] for _, v in cats], REMOVED_COLOR)], "characters removed")


def chart_sites(plt: Any, stats: dict[str, Any]) -> str | None:
    sites = sorted(stats["sites"].items(), key=lambda kv: (-kv[1]["documents"], kv[0]))[:CHART_ROWS]
    if not sites:
        return None
    labels = [f"{_cut(s)} ({v['documents']:,} docs)" for s, v in sites]
    return _barh(plt, labels, [("kept", [v["chars_kept"] for _, v in sites], KEPT_COLOR),
                               ("removed", [v["chars_removed"] for _, v in sites], REMOVED_COLOR)], "characters")


def chart_kept_share(plt: Any, stats: dict[str, Any]) -> str | None:
    share = stats["kept_share"]
    counts = share["documents"]
    if not any(counts):
        return None
    edges = share["bins"]
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 3.2))
    width = edges[1] - edges[0]
    ax.bar([e * 100 for e in edges[:-1]], counts, width=width * 100, align="edge", color=BAR_COLOR,
           edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel("kept share of a document's characters (%)")
    ax.set_ylabel("documents")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, plt)


def chart_most_removed(plt: Any, stats: dict[str, Any]) -> str | None:
    docs = stats["most_removed"][:CHART_ROWS]
    if not docs:
        return None
    labels = [_cut(d["document"] + (f" ({d['id']})" if d.get("id") is not None else "")) for d in docs]
    return _barh(plt, labels, [("kept", [d["chars_kept"] for d in docs], KEPT_COLOR),
                               ("removed", [d["chars_removed"] for d in docs], REMOVED_COLOR)], "characters")


CHARTS = (
    ("chart-categories", "Characters removed per category", chart_categories),
    ("chart-sites", f"Kept and removed characters per site (the {CHART_ROWS} with the most documents)",
     chart_sites),
    ("chart-kept-share", "Documents per kept share", chart_kept_share),
    ("chart-most-removed", f"The {CHART_ROWS} documents with the most characters removed", chart_most_removed),
)


def _table(rows: list[tuple[Any, ...]], head: tuple[str, ...]) -> str:
    e = html.escape
    out = ["<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{e(_fmt(v))}</td>" for v in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
h1{font-size:1.5em} h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0} td,th{border-bottom:1px solid #ddd;padding:.2em .8em;text-align:left}
td:not(:first-child){text-align:right} figure{margin:1em 0} figure svg{max-width:100%;height:auto}
figcaption{font-weight:600;margin-bottom:.3em} .empty{color:#777}
"""


def render_report(stats: dict[str, Any], *, title: str) -> str:
    """The HTML page (one string, self-contained) for a stats.json dict.
    Raises ReportError when matplotlib is not installed."""
    plt = _pyplot()
    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "newsclean", "font.size": 9})
    e = html.escape
    total = stats["chars_kept"] + stats["chars_removed"]
    speed = stats.get("throughput") or {}
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{e(title)}</title>",
             f"<style>{STYLE}</style></head><body>", f"<h1>{e(title)}</h1>",
             "<section id=\"totals\"><h2>Totals</h2>",
             _table([("documents", stats["documents"]), ("cleaned", stats["cleaned"]),
                     ("failed", stats["failed"]), ("emptied (no text left)", stats["emptied"]),
                     ("with warnings", stats["with_warnings"]), ("input bytes", stats["bytes_in"]),
                     ("characters kept", stats["chars_kept"]), ("characters removed", stats["chars_removed"]),
                     ("share removed", f"{100 * stats['chars_removed'] / total:.1f}%" if total else None),
                     ("blocks removed", stats["blocks_removed"]), ("sites", stats.get("sites_total"))],
                    ("", "")),
             "<h2>Throughput (the last run that cleaned documents)</h2>",
             _table([("seconds", speed.get("seconds")), ("documents", speed.get("documents")),
                     ("docs/s", speed.get("docs_per_s")), ("MB/s", speed.get("mb_per_s")),
                     ("already done by an earlier run", speed.get("resumed"))], ("", "")),
             "</section>"]
    for ident, caption, draw in CHARTS:
        svg = draw(plt, stats)
        body = svg if svg else "<p class=\"empty\">nothing to show</p>"
        parts.append(f"<figure id=\"{ident}\"><figcaption>{e(caption)}</figcaption>{body}</figure>")
    parts.append("<section id=\"most-removed\"><h2>Documents with the most removed</h2>")
    parts.append(_table([(d["document"], d.get("id"), d["site"], d["chars_kept"], d["chars_removed"],
                          d["top_category"]) for d in stats["most_removed"]],
                        ("document", "id", "site", "kept chars", "removed chars", "most removed as")))
    parts.append("</section>")
    for ident, head, key in (("languages", "Languages", "languages"), ("warnings", "Warnings", "warnings"),
                             ("errors", "Errors", "errors")):
        rows = list(stats.get(key, {}).items())
        parts.append(f"<section id=\"{ident}\"><h2>{head}</h2>")
        parts.append(_table(rows, ("", "documents")) if rows else "<p class=\"empty\">none</p>")
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_report(out: str | Path, output: str | Path | None = None) -> Path:
    """Read the stats.json of batch output `out` (see `stats_file_of`) and write the page to
    `output` (default: beside stats.json, `report_path_for`), atomically. Returns its path.
    Raises CleanerError / ReportError with a one-line message: no or a malformed stats.json
    (`stats_problem`), or an output that is the stats.json itself."""
    stats_file = stats_file_of(out)
    target = Path(output) if output else report_path_for(stats_file)
    check_output(str(target), [str(stats_file)])   # `-o stats.json` would replace the input
    stats = load_stats(stats_file)
    problem = stats_problem(stats)
    if problem:
        raise ReportError(f"not a newsclean stats.json ({problem})", path=str(stats_file))
    page = render_report(stats, title=f"newsclean batch report: {Path(out).name}")
    try:
        write_atomic(target, page)
    except OSError as exc:
        raise ReportError(f"cannot write: {exc.strerror or exc}", path=str(target)) from None
    return target


def report_command_factory() -> Any:
    """The `newsclean report` click command."""
    import click

    @click.command("report")
    @click.argument("out", type=click.Path(exists=True, path_type=Path))
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the page here. [default: report.html beside stats.json]")
    def report_command(out: Path, output: Path | None) -> None:
        """Draw a batch's stats.json as one self-contained HTML page.

        OUT is the batch's output folder, its JSON Lines output, or a stats.json file.
        Needs the plotting extra: pip install 'newsclean[report]'.
        """
        try:
            path = write_report(out, output)
        except CleanerError as exc:
            click.echo(f"newsclean: error: {exc}", err=True)
            raise SystemExit(exc.exit_code) from None
        click.echo(f"newsclean report: {path}", err=True)

    return report_command
