"""Every case folder under tests/cases: an input and what the cleaner must make of it.

One test per case (or variant); a failure lists each unmet expectation under the file that states
it, with a unified diff for expected.txt. The layout is in tests/cases/README.md; the code that
reads and checks a case is tests/casefolder.py (shared with scripts/regenerate_case.py).
"""
from __future__ import annotations

import importlib.util
import json
import shutil

import pytest

import casefolder
from casefolder import CASES, KEEP_LABELS, ROOT, CaseError, case_names, check_case, load_case, report, run_case

SAMPLE_CASES = ["sample-dodbuzz", "sample-missiledefensewatch", "sample-moscowtimes", "sample-rferl", "sample-spacewar"]


def _case_param(name: str):
    """A case as a test parameter; a case with a known bug is a strict xfail naming the bug. A
    malformed case is still a parameter: its own test fails with the CaseError, the others run."""
    try:
        bug = load_case(name).options.get("known_bug")
    except CaseError:
        return name
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=bug)) if bug else name


@pytest.mark.parametrize("name", [_case_param(n) for n in case_names()])
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
    (folder / "options.json").write_text('{"why": "a scratch case"}\n', encoding="utf-8")
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
    ({"keep.txt": "x\n", "options.json": '{"site_rules": false}'}, "must say 'why'"),
    ({"keep.txt": "x\n", "options.json": '{"compar": "exact"}'}, "unknown key 'compar'"),
    ({"keep.txt": "x\n", "options.json": '{"compare": "roughly"}'}, "'compare' must be one of"),
    ({"keep.txt": "x\n", "notes.txt": "x"}, "not a case file"),
    ({"labels.tsv": "line\tlabel\ttext\n3 body text\n"}, "labels.tsv:2: want"),
    ({"labels.tsv": "line\tlabel\ttext\n1\tnavigation\ta line that is not in the source\n"},
     "labels.tsv:2: line 1 of source.txt is 'Gates Fails"),
    ({"labels.tsv": "line\tlabel\ttext\n99\tnavigation\tGates\n"}, "source.txt has no line 99"),
])
def test_a_malformed_case_is_an_error_naming_its_file(scratch_case, files, error):
    folder, name = scratch_case
    for file_name, content in files.items():
        (folder / file_name).write_text(content, encoding="utf-8")
    with pytest.raises(CaseError, match=error):
        load_case(name)


def test_hidden_files_are_not_case_files(scratch_case):
    """An editor's swap file or a .DS_Store in a case folder is not read as part of the case."""
    folder, name = scratch_case
    (folder / "keep.txt").write_text("x\n", encoding="utf-8")
    (folder / ".options.json.swp").write_bytes(b"\x00swap")
    (folder / ".DS_Store").write_bytes(b"\x00")
    assert sorted(load_case(name).files) == ["keep.txt", "options.json", "source.txt"]


def test_a_malformed_case_fails_its_own_test_and_not_the_collection(tmp_path):
    """One bad case folder is one failing test: the suite's other tests still run."""
    import subprocess
    import sys

    cases = tmp_path / "cases"
    (cases / "bad").mkdir(parents=True)
    (cases / "bad" / "source.txt").write_text("Some text.\n", encoding="utf-8")
    (cases / "bad" / "options.json").write_text("{not json", encoding="utf-8")
    good = cases / "good"
    shutil.copytree(CASES / "headline-kept-in-clean-text", good)
    runner = tmp_path / "test_run.py"
    runner.write_text(
        "import casefolder, pathlib\n"
        f"casefolder.CASES = pathlib.Path({str(cases)!r})\n"
        "from test_cases import _case_param, test_case as check_one\n"
        "import pytest\n"
        "@pytest.mark.parametrize('name', [_case_param(n) for n in casefolder.case_names()])\n"
        "def test_each(name):\n"
        "    check_one(name)\n", encoding="utf-8")
    tests_dir = ROOT / "tests"
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(runner),
                          "--rootdir", str(tmp_path)], capture_output=True, text=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(tests_dir)}, cwd=tmp_path)
    assert "1 failed, 1 passed" in out.stdout, out.stdout[-2000:]
    assert "options.json: not JSON" in out.stdout


# ---------------------------------------------------------------- scripts/regenerate_case.py

def _regenerate_main():
    spec = importlib.util.spec_from_file_location("regenerate_case", ROOT / "scripts" / "regenerate_case.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_regenerate_prints_the_diff_then_rewrites(scratch_case, capsys):
    folder, name = scratch_case
    good_text = (CASES / "headline-kept-in-clean-text" / "expected.txt").read_text(encoding="utf-8")
    (folder / "expected.txt").write_text(good_text.replace("Tuesday", "Wednesday"), encoding="utf-8")
    (folder / "expected-metadata.json").write_text('{"title": "Another headline", "date": null}\n', encoding="utf-8")
    main = _regenerate_main()
    assert main([name, "--check"]) == 1
    printed = capsys.readouterr().out
    assert "-U.S. and Russian defense leaders said Wednesday" in printed
    assert "+U.S. and Russian defense leaders said Tuesday" in printed
    assert '-{"title": "Another headline", "date": null}' in printed
    assert "Wednesday" in (folder / "expected.txt").read_text(encoding="utf-8")      # --check writes nothing
    assert main([name]) == 0
    assert "+U.S. and Russian defense leaders said Tuesday" in capsys.readouterr().out
    assert (folder / "expected.txt").read_text(encoding="utf-8") == good_text
    assert json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8")) == {
        "title": "Gates Fails to Bridge Gap on Missile Defense", "date": None}
    assert main([name, "--check"]) == 0
    assert capsys.readouterr().out == ""


def test_regenerate_never_rewrites_a_judgement(scratch_case, capsys):
    folder, name = scratch_case
    (folder / "keep.txt").write_text("no such sentence here\n", encoding="utf-8")
    assert _regenerate_main()([name]) == 1
    captured = capsys.readouterr()
    assert "not rewritten (edit by hand): scratch: keep.txt" in captured.err
    assert (folder / "keep.txt").read_text(encoding="utf-8") == "no such sentence here\n"
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt", "options.json", "source.txt"]


def test_labels_name_the_lines_left_and_the_wrong_categories(scratch_case):
    folder, name = scratch_case
    source = CASES / "headline-removed-with-boilerplate" / "source.txt"
    shutil.copy(source, folder / "source.txt")
    lines = source.read_text(encoding="utf-8").splitlines()
    rows = ["line\tlabel\ttext", f"1\tshare\t{lines[0]}", f"2\ttitle\t{lines[1]}", f"3\trelated\t{lines[2]}",
            f"4\tbody\t{lines[3]}", f"5\tshare\t{lines[4]}"]
    (folder / "labels.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    case = load_case(name)
    message = report(case, check_case(case, run_case(case)))
    assert ("line 1 [share] Home | World | Business | Tech | Sports: removed as 'navigation', "
            "expected 'share'") in message
    assert "1 labelled boilerplate lines left, at most 0 allowed" in message and "line 3 [related]" in message
    assert "line 2" not in message and "line 4" not in message and "line 5" not in message
    (folder / "options.json").write_text('{"why": "x", "labels_max_left": 1, "labels_check_category": false}',
                                         encoding="utf-8")
    case = load_case(name)
    assert check_case(case, run_case(case)) == []


def test_a_label_can_name_the_rule_and_boilerplate_takes_any_category(scratch_case):
    folder, name = scratch_case
    source = CASES / "headline-removed-with-boilerplate" / "source.txt"
    shutil.copy(source, folder / "source.txt")
    lines = source.read_text(encoding="utf-8").splitlines()
    rows = ["line\tlabel\ttext", f"1\tboilerplate/nav-breadcrumb\t{lines[0]}", f"5\tshare/no-such-rule\t{lines[4]}"]
    (folder / "labels.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    case = load_case(name)
    failures = check_case(case, run_case(case))
    assert [f.message for f in failures] == [
        "line 5 [share/no-such-rule] Share this article: removed by rule 'share-row', expected 'no-such-rule'"]


def test_regenerate_new_drafts_the_expected_files_of_a_new_case(scratch_case, capsys):
    folder, name = scratch_case
    (folder / "options.json").write_text('{"why": "a new case"}\n', encoding="utf-8")
    with pytest.raises(CaseError, match="asserts nothing"):
        load_case(name)
    assert _regenerate_main()([name, "--new"]) == 0
    printed = capsys.readouterr().out
    assert "+Gates Fails to Bridge Gap on Missile Defense" in printed and '+  "title": ' in printed
    assert (folder / "expected.txt").read_text(encoding="utf-8") == (
        CASES / "headline-kept-in-clean-text" / "expected.txt").read_text(encoding="utf-8")
    meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    assert meta["title"] == "Gates Fails to Bridge Gap on Missile Defense" and meta["site"] is None
    case = load_case(name)
    assert check_case(case, run_case(case)) == []
