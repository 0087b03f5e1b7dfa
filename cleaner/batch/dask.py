"""Cleaning on a Dask cluster: the `--engine dask` of `newsclean batch`, and `clean_bag` for Python.

Needs `pip install 'newsclean[dask]'` (dask[bag] and distributed); every worker needs newsclean
installed too (and any --rules-dir at the same path).

The batch engine: this process plans the chunks, reads each chunk's documents and sends them to
the cluster; the workers clean (`batch.clean.clean_docs`, the same function the local engine
runs); this process writes the results (`batch.state.write_chunk`). So workers need no access to
the input or output files, and the output is byte for byte the local engine's.

The Python entry point:

    import dask.bag as db
    from cleaner.batch.dask import clean_bag

    bag = db.read_text("corpus-*.jsonl").map(json.loads)          # dicts with "text" (and "url")
    cleaned = clean_bag(bag, text_field="text", url_field="url", site_rules=True)
    cleaned.map(json.dumps).to_textfiles("cleaned-*.jsonl")

Each element in is a dict (other fields are carried through) or a str/bytes document; each
element out is the dict with the cleaned text and metadata added under `output_field` ("clean"),
exactly as in `newsclean batch corpus.jsonl out.jsonl`, or, when the document could not be
cleaned, with `"error": reason` instead.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from dask import bag as dask_bag
from distributed import Client, LocalCluster, as_completed

from ..errors import CleanerError
from ..pipeline import Options
from .clean import clean_docs, clean_one, cleaned_record
from .config import BatchConfig, DedupSettings
from .dedup import LineCounts, count_docs
from .plan import Chunk
from .read import Doc, read_chunk
from .run import IN_FLIGHT_PER_JOB
from .state import write_chunk
from .stats import CorpusStats

# Silence Dask's own logging below this level on a local cluster.
LOCAL_CLUSTER_LOG_LEVEL = 40


class DaskEngine:
    """Runs batch chunks on a Dask cluster: at `scheduler`, or a LocalCluster of `jobs` processes."""

    def __init__(self, scheduler: str | None = None, jobs: int = 1):
        self.scheduler = scheduler
        self.jobs = max(1, jobs)
        self.cluster: LocalCluster | None = None
        self.client: Client | None = None

    def __enter__(self) -> "DaskEngine":
        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=LOCAL_CLUSTER_LOG_LEVEL)
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def _window(self) -> int:
        assert self.client is not None
        workers = len(self.client.scheduler_info().get("workers", {})) or self.jobs
        return max(2, workers * IN_FLIGHT_PER_JOB)

    def _map(self, cfg: BatchConfig, chunks: list[Chunk], fn: Any, *extra: Any) -> Iterator[tuple[Chunk, Any]]:
        assert self.client is not None
        todo = iter(chunks)
        pending: dict[Any, Chunk] = {}
        queue = as_completed()

        def submit() -> bool:
            chunk = next(todo, None)
            if chunk is None:
                return False
            fut = self.client.submit(fn, cfg, read_chunk(cfg, chunk), *extra, pure=False)
            pending[fut.key] = chunk
            queue.add(fut)
            return True

        for _ in range(self._window()):
            if not submit():
                break
        for fut in queue:
            chunk = pending.pop(fut.key)
            result = fut.result()
            fut.release()
            yield chunk, result
            submit()

    def count(self, cfg: BatchConfig, chunks: list[Chunk]) -> Iterator[tuple[Chunk, LineCounts]]:
        return self._map(cfg, chunks, count_docs)

    def clean(self, cfg: BatchConfig, chunks: list[Chunk],
              common: dict[str, frozenset[str]]) -> Iterator[tuple[Chunk, CorpusStats]]:
        assert self.client is not None
        if not chunks:
            return iter(())
        shared = self.client.scatter(common, broadcast=True) if common else None

        def run() -> Iterator[tuple[Chunk, CorpusStats]]:
            for chunk, result in self._map(cfg, chunks, clean_docs, shared):
                yield chunk, write_chunk(cfg, chunk, result)

        return run()


# ---------------------------------------------------------------- Python entry point

def bag_config(*, text_field: str = "text", url_field: str | None = "url", id_field: str | None = None,
               output_field: str = "clean", replace_text: bool = False, fmt: str = "text",
               site: str | None = None, site_rules: bool = True, rules_dirs: Iterable[str] = (),
               input_format: str = "auto", heuristics: bool = True) -> BatchConfig:
    return BatchConfig(source="<bag>", target="<bag>", mode="jsonl", fmt=fmt, site=site,
                       options=Options(site_rules=site_rules, rules_dirs=tuple(rules_dirs),
                                       input_format=input_format, heuristics=heuristics),
                       text_field=text_field, url_field=url_field, id_field=id_field,
                       output_field=output_field, replace_text=replace_text)


def clean_record(cfg: BatchConfig, element: Any, common: dict[str, frozenset[str]] | None = None) -> dict[str, Any]:
    """One bag element (a dict, or a str/bytes document) -> the dict with the cleaned fields added,
    or with `error` when it cannot be cleaned."""
    record = dict(element) if isinstance(element, dict) else {cfg.text_field: element}
    text = record.get(cfg.text_field)
    url = record.get(cfg.url_field) if cfg.url_field else None
    name = str(record.get(cfg.id_field)) if cfg.id_field and cfg.id_field in record else "<bag element>"
    if not isinstance(text, (str, bytes)):
        return {**record, "error": f"no text field {cfg.text_field!r}" if text is None
                else f"field {cfg.text_field!r} is not a string"}
    doc = Doc(name=name, data=text, url=url if isinstance(url, str) and url else None, record=record)
    try:
        return cleaned_record(cfg, record, clean_one(cfg, doc, common or {}))
    except CleanerError as exc:
        return {**record, "error": exc.detail}
    except Exception as exc:  # noqa: BLE001 - one document's bug must not fail the whole bag
        return {**record, "error": f"internal error: {type(exc).__name__}: {exc}"}


def _clean_partition(elements: Iterable[Any], cfg: BatchConfig,
                     common: dict[str, frozenset[str]] | None) -> list[dict[str, Any]]:
    return [clean_record(cfg, e, common) for e in elements]


def clean_bag(bag: dask_bag.Bag, *, common_lines: dict[str, frozenset[str]] | None = None,
              dedup: DedupSettings | None = None, **options: Any) -> dask_bag.Bag:
    """Clean a Dask bag of documents, lazily (nothing runs until the bag is computed).

    Arguments:
        bag (dask.bag.Bag): elements are dicts (JSON Lines records; their other fields are carried
            through) or str/bytes documents (plain text or HTML).
        common_lines (dict[str, frozenset[str]] | None): per site name, lines known to recur
            across the site's documents (`common_lines_of(bag, ...)` computes them); those
            blocks are removed with category "duplicate".
        dedup (DedupSettings | None): count recurring lines first (one extra pass over the bag)
            when `common_lines` is not given.
        **options: as `bag_config`: text_field (str, "text"), url_field (str | None, "url"),
            id_field (str | None), output_field (str, "clean"), replace_text (bool), fmt ("text":
            text and metadata; "json": Article.to_dict()), site (str | None), site_rules (bool),
            rules_dirs (iterable of folder paths), input_format ("auto" | "text" | "html"),
            heuristics (bool).

    Returns:
        dask.bag.Bag of dicts: each element as a dict with the cleaned text and metadata added
        under `output_field` (dates ISO 8601), exactly as `newsclean batch in.jsonl out.jsonl`
        writes; an element that cannot be cleaned gets `"error": reason` instead (never raises
        for one element's sake).

    Raises:
        TypeError / OptionError: at once, for a wrong option type or value (e.g.
        input_format="xml"); an unknown option is a TypeError.
    """
    cfg = bag_config(**options)
    if dedup is not None and common_lines is None:
        common_lines = common_lines_of(bag, dedup=dedup, **options)
    if common_lines:
        cfg = BatchConfig(**{**cfg.__dict__, "dedup": dedup or DedupSettings()})
    return bag.map_partitions(_clean_partition, cfg, common_lines or None)


def _count_partition(elements: Iterable[Any], cfg: BatchConfig) -> list[LineCounts]:
    docs = []
    for e in elements:
        record = dict(e) if isinstance(e, dict) else {cfg.text_field: e}
        text = record.get(cfg.text_field)
        url = record.get(cfg.url_field) if cfg.url_field else None
        if isinstance(text, (str, bytes)):
            docs.append(Doc(name="<bag element>", data=text, url=url if isinstance(url, str) and url else None))
    return [count_docs(cfg, docs)]


def _merge(parts: Iterable[LineCounts]) -> LineCounts:
    total = LineCounts()
    for p in parts:
        total.add(p)
    return total


def common_lines_of(bag: dask_bag.Bag, *, dedup: DedupSettings | None = None,
                    **options: Any) -> dict[str, frozenset[str]]:
    """Pass 1 of --dedup-lines on a bag (computes it): per site, the lines common to its documents."""
    cfg = bag_config(**options)
    counts = bag.map_partitions(_count_partition, cfg).reduction(_merge, _merge).compute()
    return counts.common(dedup or DedupSettings())
