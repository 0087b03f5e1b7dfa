"""Case folders (tests/cases/<name>/): find them, run one through the cleaner, check its output.

A case is a folder holding an input and what the cleaner must make of it; tests/cases/README.md
describes the files. tests/test_cases.py runs every case; scripts/regenerate_case.py rewrites a
case's expected files from today's output. The cleaner is used only through its public API
(`cleaner.clean`, `cleaner.Options`) or its command line (`newsclean clean`).
"""
from __future__ import annotations

import difflib
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"

SOURCE_NAMES = ("source.txt", "source.html")
# Files a case may hold; a variant (a sub-folder of a case) takes every file it lacks from its case.
CASE_FILES = SOURCE_NAMES + ("options.json", "expected.txt", "expected-metadata.json", "labels.tsv",
                             "keep.txt", "remove.txt")
# Files that assert something (a case needs at least one of them, or "idempotent" in options.json).
EXPECTATION_FILES = ("expected.txt", "expected-metadata.json", "labels.tsv", "keep.txt", "remove.txt")

# options.json keys and the type of their values; anything else is a mistake in the case.
OPTION_TYPES: dict[str, type | tuple[type, ...]] = {
    "why": str,                    # what the case guards against (free text, for the reader)
    "source": str,                 # a repository file to clean instead of source.txt/html
    "source_as_bytes": bool,       # pass the file's bytes to clean(), not its UTF-8 text
    "via": str,                    # "api" (clean(), the default), "cli" (newsclean clean FILE) or "cli-stdin"
    "url": str, "site": str, "site_rules": bool, "input_format": str, "model": bool,
    "signals_off": list,           # named generic signals not to run (clean()'s option of that idea)
    "compare": str,                # how expected.txt is compared: "exact" | "paragraphs" | "contains"
    "metadata_unchecked": list,    # keys of expected-metadata.json the cleaner does not output
    "labels_max_left": int,        # labelled boilerplate lines allowed to stay (default 0)
    "labels_check_category": bool,  # a removed labelled line must carry its label's category (default true)
    "idempotent": (bool, dict),    # clean the output again: same text, same language
    "known_bug": str,              # the case fails today because of this bug (a strict xfail)
}
COMPARE_MODES = ("exact", "paragraphs", "contains")
# labels.tsv: lines with these labels are article text and must stay; "mixed" is a line holding
# article text glued to boilerplate (the boilerplate part must go); any other label is boilerplate,
# removed with the category of the same name, or the one given here ("boilerplate": any category).
KEEP_LABELS = frozenset({"body", "heading"})
MIXED_LABEL = "mixed"
ANY_BOILERPLATE = "boilerplate"     # removed, whatever the category
# A label may name the rule that must remove the line after a slash: "related/section-marker".
LABEL_CATEGORY = {"title": "metadata", "sitename": "metadata", "tags": "metadata", "byline": "metadata",
                  "date": "metadata", "dateline": "metadata", "ad": "advertisement"}
# A labelled line shorter than this must not be a whole line of the output; a longer one must not
# be anywhere in it (a short line such as "Photos" may well be part of a sentence).
SHORT_LINE_CHARS = 40
# Output keys expected-metadata.json may hold besides the Article's own (derived from `removed`).
DERIVED_KEYS = ("removed_categories",)


class CaseError(Exception):
    """A case folder that is not well formed (a message naming the folder and the file)."""


@dataclass
class Case:
    """One case or variant: `name` ("sample-rferl" or "sample-rferl/no-site-rules"), `folder`, the
    files it uses (own or taken from its case) by file name, and its options (the case's
    options.json updated with the variant's)."""

    name: str
    folder: Path
    files: dict[str, Path]
    options: dict[str, Any]

    @property
    def source(self) -> Path:
        if "source" in self.options:
            return ROOT / self.options["source"]
        return next(self.files[n] for n in SOURCE_NAMES if n in self.files)

    def own(self, file_name: str) -> bool:
        """Whether the file is the case's own (not taken from the case it is a variant of)."""
        return file_name in self.files and self.files[file_name].parent == self.folder


@dataclass
class Failure:
    """One check that failed: the file whose expectation was not met and what was wrong."""

    file: str
    message: str


@dataclass
class Run:
    """The cleaner's output for a case, as the JSON output's dict, and the second pass's when the
    case is checked for idempotence."""

    out: dict[str, Any]
    again: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)   # the CLI's exit code or stderr, if wrong


def case_names() -> list[str]:
    """Every case and variant under tests/cases, sorted: "<case>" and "<case>/<variant>"."""
    names = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        names.append(folder.name)
        names.extend(f"{folder.name}/{sub.name}" for sub in sorted(p for p in folder.iterdir() if p.is_dir()))
    return names


def load_case(name: str, drafting: bool = False) -> Case:
    """The case or variant called `name`; CaseError when its folder is not well formed. With
    `drafting`, a case that asserts nothing yet is accepted (regenerate_case.py --new)."""
    folder = CASES / name
    if not folder.is_dir():
        raise CaseError(f"{folder}: no such case folder")
    chain = [folder.parent, folder] if "/" in name else [folder]
    files: dict[str, Path] = {}
    options: dict[str, Any] = {}
    for part in chain:
        for path in sorted(part.iterdir()):
            if path.is_dir() or path.name.startswith("."):
                continue  # a variant's folder, or an editor's or a file manager's hidden file
            if path.name not in CASE_FILES and path.name != "README.md":
                raise CaseError(f"{path}: not a case file (expected one of {', '.join(CASE_FILES)})")
            files[path.name] = path
        if (part / "options.json").exists():
            options.update(_read_options(part / "options.json"))
    case = Case(name, folder, files, options)
    _validate(case, drafting)
    return case


def _read_options(path: Path) -> dict[str, Any]:
    try:
        options = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CaseError(f"{path}: not JSON ({exc})") from None
    if not isinstance(options, dict):
        raise CaseError(f"{path}: must hold one JSON object")
    for key, value in options.items():
        if key not in OPTION_TYPES:
            raise CaseError(f"{path}: unknown key {key!r} (known: {', '.join(OPTION_TYPES)})")
        if not isinstance(value, OPTION_TYPES[key]):
            raise CaseError(f"{path}: {key!r} has the wrong type ({type(value).__name__})")
    return options


def _validate(case: Case, drafting: bool = False) -> None:
    where = case.folder
    sources = [n for n in SOURCE_NAMES if n in case.files]
    if "source" in case.options:
        if sources:
            raise CaseError(f"{where}: both a source file and options.json 'source'")
        if not case.source.is_file():
            raise CaseError(f"{where}: options.json 'source' {case.options['source']!r} is not a file")
    elif len(sources) != 1:
        raise CaseError(f"{where}: needs exactly one of {', '.join(SOURCE_NAMES)}")
    asserts = any(n in case.files for n in EXPECTATION_FILES) or case.options.get("idempotent")
    if not drafting and not asserts:
        raise CaseError(f"{where}: asserts nothing (add expected.txt, keep.txt, ... or 'idempotent')")
    if case.options.get("compare", "exact") not in COMPARE_MODES:
        raise CaseError(f"{where}: 'compare' must be one of {', '.join(COMPARE_MODES)}")
    if case.options.get("via", "api") not in ("api", "cli", "cli-stdin"):
        raise CaseError(f"{where}: 'via' must be 'api', 'cli' or 'cli-stdin'")
    if case.options.get("via", "api") != "api" and ("signals_off" in case.options or case.options.get("source_as_bytes")):
        raise CaseError(f"{where}: 'signals_off' and 'source_as_bytes' are for via 'api' (the CLI reads the file)")
    if "labels.tsv" in case.files:
        labels(case)   # raises on a malformed row
    if not case.options.get("why"):
        raise CaseError(f"{where}: options.json must say 'why' the case exists")


# ---------------------------------------------------------------- running the cleaner

_CLEAN_OPTIONS = ("url", "site", "site_rules", "input_format", "model")


def _api(document: str | bytes, options: dict[str, Any]) -> dict[str, Any]:
    from cleaner import clean

    kwargs = {k: options[k] for k in _CLEAN_OPTIONS if k in options}
    if "signals_off" in options:
        kwargs["signals_off"] = frozenset(options["signals_off"])
    return clean(document, **kwargs).to_dict()


def _cli_command() -> list[str]:
    script = Path(sys.executable).with_name("newsclean")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleaner"]


def _cli(path: Path, options: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    stdin = options.get("via") == "cli-stdin"
    args = ["-" if stdin else str(path), "--format", "json"]
    for key in ("url", "site", "input_format"):
        if key in options:
            args += ["--" + key.replace("_", "-"), options[key]]
    if options.get("site_rules") is False:
        args.append("--no-site-rules")
    if options.get("model"):
        args.append("--model")
    proc = subprocess.run(_cli_command() + ["clean"] + args, input=path.read_bytes() if stdin else None,
                          capture_output=True, cwd=ROOT, timeout=120)
    problems = []
    if proc.returncode != 0:
        problems.append(f"newsclean exited with {proc.returncode}")
    if proc.stderr:
        problems.append("newsclean wrote to stderr: " + proc.stderr.decode("utf-8", "replace").strip())
    try:
        return json.loads(proc.stdout.decode("utf-8")), problems
    except ValueError as exc:
        empty = {"text": "", "removed": [], "language": None}
        return empty, problems + [f"the output is not UTF-8 JSON ({exc})"]


def run_case(case: Case) -> Run:
    """Clean the case's source with its options (and, for "idempotent", the output once more)."""
    options = case.options
    if options.get("via") in ("cli", "cli-stdin"):
        out, problems = _cli(case.source, options)
    else:
        data = case.source.read_bytes()
        document: str | bytes = data if options.get("source_as_bytes") else data.decode("utf-8")
        out, problems = _api(document, options), []
    run = Run(out, problems=problems)
    idempotent = options.get("idempotent")
    if idempotent:
        second = {k: v for k, v in options.items() if k in _CLEAN_OPTIONS or k == "signals_off"}
        second.pop("url", None)   # the cleaned text is not the page at that URL any more
        if isinstance(idempotent, dict):
            overrides = dict(idempotent)
            if overrides.pop("site_from_first_pass", False) and out.get("site"):
                second["site"] = out["site"]
            second.update(overrides)
        run.again = _api(out["text"], second)
    return run


# ---------------------------------------------------------------- checking the output

def norm(text: str) -> str:
    """Runs of whitespace as one space, stripped."""
    return re.sub(r"\s+", " ", text).strip()


def paragraphs(text: str) -> list[str]:
    """The blank-line separated paragraphs of a text, each normalised (norm)."""
    return [norm(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def read_expected_text(path: Path) -> str:
    """expected.txt as the text it expects: the file without its one final newline."""
    text = path.read_bytes().decode("utf-8")
    return text[:-1] if text.endswith("\n") else text


def labels(case: Case) -> list[tuple[int, str, str]]:
    """labels.tsv rows (line number, label, text), header skipped; CaseError on a bad row."""
    path = case.files["labels.tsv"]
    rows = []
    for i, row in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], start=2):
        parts = row.split("\t", 2)
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1]:
            raise CaseError(f"{path}:{i}: want 'line<TAB>label<TAB>text'")
        rows.append((int(parts[0]), parts[1], parts[2]))
    if case.source.suffix == ".txt":  # a row's text must be its line of the source
        source = case.source.read_bytes().decode("utf-8", "replace")
        lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for i, (number, _, text) in enumerate(rows, start=2):
            line = lines[number - 1].strip() if 0 < number <= len(lines) else None
            if line != text.strip():
                raise CaseError(f"{path}:{i}: line {number} of {case.source.name} is "
                                f"{line!r}, not {text.strip()!r}" if line is not None else
                                f"{path}:{i}: {case.source.name} has no line {number}")
    return rows


def _lines(path: Path) -> list[str]:
    return [norm(line) for line in path.read_bytes().decode("utf-8").split("\n") if norm(line)]


def unified(want: str, got: str, name: str) -> str:
    """A unified diff from the expected text to the output, line by line."""
    diff = difflib.unified_diff(want.splitlines(keepends=True), got.splitlines(keepends=True),
                                f"{name} (expected)", f"{name} (output)", n=2)
    return "".join(line if line.endswith("\n") else line + "\n" for line in diff)


def output_value(out: dict[str, Any], key: str) -> Any:
    """A key of the output as expected-metadata.json compares it (KeyError if there is none)."""
    if key == "removed_categories":
        return sorted({r["category"] for r in out["removed"]})
    return out[key]


def _present(line: str, text: str) -> bool:
    line = norm(line)
    if len(line) < SHORT_LINE_CHARS:
        return line in {norm(t) for t in text.splitlines()}
    return line in norm(text)


def check_case(case: Case, run: Run) -> list[Failure]:
    """Every expectation of the case the run does not meet (an empty list: the case passes)."""
    out, opts = run.out, case.options
    failures = [Failure("newsclean", p) for p in run.problems]
    for r in out.get("removed", []):
        if not (r["category"] and r["rule"] and r["reason"] and r["text"]):
            failures.append(Failure("removed", f"a removal without category, rule, reason or text: {r}"))
    text = out["text"]
    expected_paragraphs: list[str] = []
    if "expected.txt" in case.files:
        want = read_expected_text(case.files["expected.txt"])
        expected_paragraphs = paragraphs(want)
        mode = opts.get("compare", "exact")
        if mode == "exact" and want != text:
            failures.append(Failure("expected.txt", "the text differs:\n" + unified(want, text, "expected.txt")))
        elif mode == "paragraphs" and expected_paragraphs != paragraphs(text):
            failures.append(Failure("expected.txt", "the paragraphs differ (whitespace aside):\n"
                                    + unified("\n".join(expected_paragraphs) + "\n",
                                              "\n".join(paragraphs(text)) + "\n", "expected.txt")))
        elif mode == "contains":
            missing = [p for p in expected_paragraphs if p not in norm(text)]
            if missing:
                failures.append(Failure("expected.txt", "paragraphs missing from the output:\n"
                                        + "\n".join("  " + p[:160] for p in missing)))
    if "expected-metadata.json" in case.files:
        want_meta = json.loads(case.files["expected-metadata.json"].read_text(encoding="utf-8"))
        unchecked = set(opts.get("metadata_unchecked", []))
        for key, want in want_meta.items():
            if key in unchecked:
                continue
            try:
                got = output_value(out, key)
            except KeyError:
                failures.append(Failure("expected-metadata.json", f"{key!r}: the output has no such key "
                                        "(list it in options.json 'metadata_unchecked' if that is meant)"))
                continue
            if got != want:
                failures.append(Failure("expected-metadata.json", f"{key!r}: expected {want!r}, got {got!r}"))
    for file_name, must_stay in (("keep.txt", True), ("remove.txt", False)):
        if file_name in case.files:
            wrong = [line for line in _lines(case.files[file_name]) if (line in norm(text)) != must_stay]
            if wrong:
                what = "missing from the output" if must_stay else "still in the output"
                failures.append(Failure(file_name, f"lines {what}:\n" + "\n".join("  " + w[:160] for w in wrong)))
    if "labels.tsv" in case.files:
        failures.extend(_check_labels(case, out, expected_paragraphs))
    if run.again is not None:
        if run.again["text"] != text:
            failures.append(Failure("idempotent", "cleaning the output again changed it:\n"
                                    + unified(text, run.again["text"], "first pass")))
        if run.again["language"] != out["language"]:
            failures.append(Failure("idempotent", f"the language went from {out['language']!r} to "
                                    f"{run.again['language']!r} on the second pass"))
    return failures


def _check_labels(case: Case, out: dict[str, Any], expected_paragraphs: list[str]) -> list[Failure]:
    text = out["text"]
    kept = paragraphs(text)
    removal_of: dict[str, dict[str, Any]] = {}
    for r in out["removed"]:
        removal_of.setdefault(norm(r["text"]), r)
    check_category = case.options.get("labels_check_category", True)
    problems, left = [], []
    for n, label, line in labels(case):
        where = f"line {n} [{label}] {line[:70]}"
        label, _, rule = label.partition("/")
        if label in KEEP_LABELS:
            if norm(line) not in kept:
                problems.append(f"{where}: not a paragraph of the output")
        elif label == MIXED_LABEL:
            parts = [p for p in expected_paragraphs if p in norm(line)]
            if not parts:
                problems.append(f"{where}: a mixed line needs its article part in expected.txt")
                continue
            rest = norm(norm(line).replace(max(parts, key=len), " "))[:SHORT_LINE_CHARS]
            if rest in norm(text):
                left.append(f"{where}: its boilerplate part {rest!r} is still in the output")
        elif _present(line, text):
            left.append(f"{where}: still in the output")
        else:
            removal = removal_of.get(norm(line), {})
            want = LABEL_CATEGORY.get(label, label)
            if check_category and label != ANY_BOILERPLATE and removal.get("category") != want:
                problems.append(f"{where}: removed as {removal.get('category')!r}, expected {want!r}")
            if rule and removal.get("rule") != rule:
                problems.append(f"{where}: removed by rule {removal.get('rule')!r}, expected {rule!r}")
    allowed = case.options.get("labels_max_left", 0)
    if len(left) > allowed:
        problems.append(f"{len(left)} labelled boilerplate lines left, at most {allowed} allowed:\n    "
                        + "\n    ".join(left))
    return [Failure("labels.tsv", p) for p in problems]


def report(case: Case, failures: list[Failure]) -> str:
    """The failures of a case as one message, each under the file it concerns."""
    folder = case.folder.relative_to(ROOT) if case.folder.is_relative_to(ROOT) else case.folder
    head = f"case {case.name} ({folder}): {len(failures)} failed check(s)"
    return "\n".join([head] + [f"-- {f.file}: {f.message}" for f in failures])
