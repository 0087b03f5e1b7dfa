"""Rewrite a case folder's expected files from today's output, printing the diff of each change.

    python scripts/regenerate_case.py NAME [NAME ...]      # tests/cases/NAME (or NAME/VARIANT)
    python scripts/regenerate_case.py --all                # every case
    python scripts/regenerate_case.py --all --check        # print the diffs, write nothing
    python scripts/regenerate_case.py NAME --new           # also write the expected files NAME lacks

Only expected.txt (compare "exact" or "paragraphs") and the values of expected-metadata.json's keys
are rewritten, and only in the folder that holds them (a variant does not rewrite its case's
files). keep.txt, remove.txt, labels.tsv, "contains" comparisons and idempotence are judgements
made by hand: when one fails it is printed, never rewritten. Every change is printed as a unified
diff; read it before committing (tests/cases/README.md).

Exit status: 0 when every case now passes (or, with --check, already passed); 1 when a file
differs (--check) or a failure cannot be rewritten; 2 for a malformed case or an unknown name.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from casefolder import (ROOT, Case, CaseError, case_names, check_case, load_case,  # noqa: E402
                        read_expected_text, run_case, unified)

# Keys written into a new expected-metadata.json (--new): the metadata a reader can judge.
NEW_METADATA_KEYS = ("title", "author", "date", "sitename", "tags", "site")


def expected_text_file(text: str) -> str:
    """expected.txt's content for an output text: the text and one final newline ("" for none)."""
    return text + "\n" if text else ""


def metadata_file(meta: dict) -> str:
    return json.dumps(meta, ensure_ascii=False, indent=2) + "\n"


def regenerate(case: Case, check: bool, new: bool) -> tuple[int, list[str]]:
    """(files changed or that would change, failures left that this script does not rewrite)."""
    run = run_case(case)
    failures = check_case(case, run)
    out = run.out
    changes: dict[Path, tuple[str, str]] = {}    # path -> (old content, new content)
    failing = {f.file for f in failures}
    mode = case.options.get("compare", "exact")
    if "expected.txt" in failing and case.own("expected.txt") and mode in ("exact", "paragraphs"):
        path = case.files["expected.txt"]
        changes[path] = (expected_text_file(read_expected_text(path)), expected_text_file(out["text"]))
    elif new and "expected.txt" not in case.files and "keep.txt" not in case.files:
        changes[case.folder / "expected.txt"] = ("", expected_text_file(out["text"]))
    if "expected-metadata.json" in failing and case.own("expected-metadata.json"):
        path = case.files["expected-metadata.json"]
        old = path.read_text(encoding="utf-8")
        meta = json.loads(old)
        unchecked = set(case.options.get("metadata_unchecked", []))
        for key in meta:
            if key not in unchecked and key in out:
                meta[key] = out[key]
            elif key == "removed_categories":
                meta[key] = sorted({r["category"] for r in out["removed"]})
        changes[path] = (old, metadata_file(meta))
    elif new and "expected-metadata.json" not in case.files:
        changes[case.folder / "expected-metadata.json"] = ("", metadata_file({k: out[k] for k in NEW_METADATA_KEYS}))
    changed = 0
    for path, (old, text) in changes.items():
        if old == text:
            continue
        changed += 1
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(unified(old, text, str(shown)), end="")
        if not check:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(text.encode("utf-8"))
            tmp.replace(path)
    if changed and not check:
        failures = check_case(load_case(case.name, drafting=new), run)     # what the rewritten files still fail
    else:
        failures = [f for f in failures if f.file not in {p.name for p in changes}]
    left = [f"{case.name}: {f.file}: {f.message}" for f in failures]
    return changed, left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="case folder names under tests/cases")
    parser.add_argument("--all", action="store_true", help="every case")
    parser.add_argument("--check", action="store_true", help="print the diffs only; exit 1 if any")
    parser.add_argument("--new", action="store_true", help="write expected.txt / expected-metadata.json "
                        "for a case that has none (read them before committing)")
    args = parser.parse_args(argv)
    if args.all == bool(args.names):
        parser.error("give case names or --all")
    names = case_names() if args.all else args.names
    changed, left = 0, []
    for name in names:
        try:
            case = load_case(name.rstrip("/"), drafting=args.new)
        except CaseError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        n, rest = regenerate(case, args.check, args.new)
        changed += n
        left += rest
    for line in left:
        print(f"not rewritten (edit by hand): {line}", file=sys.stderr)
    verb = "differ" if args.check else "rewritten"
    print(f"{len(names)} case(s), {changed} file(s) {verb}, {len(left)} failure(s) not rewritten", file=sys.stderr)
    return 1 if left or (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
