"""Every case folder under tests/cases: an input and what the cleaner must make of it.

One test per case (or variant); a failure lists each unmet expectation under the file that states
it, with a unified diff for expected.txt. The layout is in tests/cases/README.md; the code that
reads and checks a case is tests/casefolder.py (shared with scripts/regenerate_case.py).
"""
from __future__ import annotations

import json
import shutil

import pytest

import casefolder
from casefolder import CASES, KEEP_LABELS, CaseError, case_names, check_case, load_case, report, run_case

SAMPLE_CASES = ["sample-dodbuzz", "sample-missiledefensewatch", "sample-moscowtimes", "sample-rferl", "sample-spacewar"]


@pytest.mark.parametrize("name", case_names())
def test_case(name):
    case = load_case(name)
    failures = check_case(case, run_case(case))
    assert not failures, report(case, failures)


def test_the_five_samples_are_cases_with_every_line_labelled():
    """The samples the product was specified from: 107 boilerplate lines labelled among them."""
    names = case_names()
    assert [n for n in SAMPLE_CASES if n in names] == SAMPLE_CASES
    boilerplate = sum(1 for name in SAMPLE_CASES for _, label, _ in casefolder.labels(load_case(name))
                      if label not in KEEP_LABELS)
    assert boilerplate == 107


# ---------------------------------------------------------------- the runner fails when it should

@pytest.fixture
def scratch_case(monkeypatch, tmp_path):
    """A case folder of one's own under a scratch tests/cases: (folder, name)."""
    monkeypatch.setattr(casefolder, "CASES", tmp_path)
    folder = tmp_path / "scratch"
    folder.mkdir()
    shutil.copy(CASES / "headline-kept-in-clean-text" / "source.txt", folder / "source.txt")
    return folder, "scratch"


def test_a_wrong_expected_text_fails_with_a_diff(scratch_case):
    folder, name = scratch_case
    good = (CASES / "headline-kept-in-clean-text" / "expected.txt").read_text(encoding="utf-8")
    (folder / "expected.txt").write_text(good.replace("Tuesday", "Wednesday"), encoding="utf-8")
    case = load_case(name)
    failures = check_case(case, run_case(case))
    assert [f.file for f in failures] == ["expected.txt"]
    message = report(case, failures)
    assert "-U.S. and Russian defense leaders said Wednesday" in message
    assert "+U.S. and Russian defense leaders said Tuesday" in message


def test_keep_remove_and_metadata_failures_name_their_file(scratch_case):
    folder, name = scratch_case
    (folder / "keep.txt").write_text("both sides would keep working\nno such sentence here\n", encoding="utf-8")
    (folder / "remove.txt").write_text("Gates Fails to Bridge Gap\n", encoding="utf-8")
    (folder / "expected-metadata.json").write_text(json.dumps({"title": "Another headline", "removed": []}),
                                                   encoding="utf-8")
    case = load_case(name)
    failures = check_case(case, run_case(case))
    assert sorted(f.file for f in failures) == ["expected-metadata.json", "keep.txt", "remove.txt"]
    assert "no such sentence here" in report(case, failures)
    assert "both sides would keep working" not in report(case, failures)


@pytest.mark.parametrize("files,error", [
    ({}, "asserts nothing"),
    ({"keep.txt": "x\n", "options.json": '{"compar": "exact"}'}, "unknown key 'compar'"),
    ({"keep.txt": "x\n", "options.json": '{"compare": "roughly"}'}, "'compare' must be one of"),
    ({"keep.txt": "x\n", "notes.txt": "x"}, "not a case file"),
    ({"labels.tsv": "line\tlabel\ttext\n3 body text\n"}, "labels.tsv:2: want"),
])
def test_a_malformed_case_is_an_error_naming_its_file(scratch_case, files, error):
    folder, name = scratch_case
    for file_name, content in files.items():
        (folder / file_name).write_text(content, encoding="utf-8")
    with pytest.raises(CaseError, match=error):
        load_case(name)
