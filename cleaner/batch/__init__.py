"""Batch cleaning: a folder tree or a JSON Lines corpus, on all cores or a Dask cluster, resumable.

Modules, in the order a batch runs them:

    config    BatchConfig (everything that decides the output), BatchError
    plan      the input cut into chunks, in a fixed order; the checks on the paths
    dedup     pass 1 of --dedup-lines: lines common to a site's documents, exact copies
    read      reading a chunk's documents (files, or JSON lines)
    clean     cleaning them (the work of a worker, on either engine)
    state     part files, resume, the lock, the assembled outputs
    run       the local engine (worker processes) and run_batch, which drives a batch
    dask      the Dask engine, and clean_bag for a Dask bag
    stats     stats.json: the counts over the corpus (CorpusStats)
    corpus    JSON Lines corpora: compression, dotted field paths, layouts, standard streams
    pipes     '-' for standard input and output, and the --layout presets, for the CLI
    progress  the progress bar
    report    the `newsclean report` page drawn from stats.json

The rest of the code runs a batch with `run_batch(BatchConfig(...), LocalEngine(jobs))`.
"""
from .config import BatchConfig, BatchError, DedupSettings
from .run import LocalEngine, Summary, run_batch

__all__ = ["BatchConfig", "BatchError", "DedupSettings", "LocalEngine", "Summary", "run_batch"]
