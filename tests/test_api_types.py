"""The typed, documented API: clear errors for wrong argument types and values, docstrings that
name every field, and types a type checker sees (mypy --strict on a user's script)."""
from __future__ import annotations

import dataclasses
import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cleaner
from cleaner import Article, CleanerError, OptionError, Options, Removed, clean
from conftest import ROOT

TEXT = "A headline of some kind\n\nThe council met on Tuesday and agreed to repair the old bridge before winter.\n"


# ---------------------------------------------------------------- wrong types and values

@pytest.mark.parametrize("document", [None, 1, 2.5, ["a list"], {"text": "a dict"}])
def test_a_document_of_the_wrong_type_is_a_type_error_naming_the_types(document):
    with pytest.raises(TypeError) as info:
        clean(document)  # type: ignore[arg-type]
    message = str(info.value)
    expected = "None" if document is None else type(document).__name__
    assert message == f"clean(): the document must be str or bytes (plain text or HTML), not {expected}"
    assert "\n" not in message


@pytest.mark.parametrize("kwargs, names", [
    ({"url": 3}, ("url", "int")),
    ({"site": b"SpaceWar"}, ("site", "bytes")),
    ({"options": {"site_rules": False}}, ("options", "dict")),
    ({"source": None}, ("source", "None")),
    ({"ruleset": "rules/"}, ("ruleset", "str")),
])
def test_other_arguments_of_the_wrong_type_are_type_errors(kwargs, names):
    with pytest.raises(TypeError) as info:
        clean(TEXT, **kwargs)
    assert all(n in str(info.value) for n in names), str(info.value)


def test_an_unknown_option_is_a_type_error_listing_the_options():
    with pytest.raises(TypeError, match=r"unknown option 'siterules'.*site_rules, rules_dirs, input_format"):
        clean(TEXT, siterules=False)


def test_a_wrong_input_format_is_an_option_error_naming_the_allowed_values():
    for call in (lambda: clean(TEXT, input_format="xml"), lambda: Options(input_format="xml")):  # type: ignore[arg-type]
        with pytest.raises(OptionError) as info:
            call()
        assert isinstance(info.value, ValueError) and isinstance(info.value, CleanerError)
        assert str(info.value) == "input_format must be one of auto, text, html, not 'xml'"
    with pytest.raises(TypeError, match="input_format must be a str"):
        Options(input_format=None)  # type: ignore[arg-type]


def test_option_fields_are_checked_and_lists_are_taken_as_tuples():
    with pytest.raises(TypeError, match="Options.site_rules must be bool, not str"):
        Options(site_rules="no")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rules_dirs must be a tuple of folder paths"):
        Options(rules_dirs="my-rules")
    assert Options(rules_dirs=["a", Path("b")]).rules_dirs == ("a", "b")  # type: ignore[arg-type]
    assert Options(signals_off={"span"}).signals_off == frozenset({"span"})  # type: ignore[arg-type]


def test_right_arguments_still_clean():
    a = clean(TEXT.encode(), url="https://example.org/a", site=None, options=Options(site_rules=False), source="a.txt",
              input_format="text")
    assert "repair the old bridge" in a.text and a.url == "https://example.org/a"


def test_the_cli_refuses_a_wrong_input_format_in_one_line(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(TEXT, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(doc), "--input-format", "xml"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "xml" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- docstrings

def test_clean_docstring_names_every_argument_and_the_errors():
    doc = inspect.getdoc(clean) or ""
    for name in inspect.signature(clean).parameters:
        assert name in doc, name
    for error in ("TypeError", "OptionError", "InputError", "RuleError", "ISO 8601"):
        assert error in doc, error


@pytest.mark.parametrize("cls", [Options, Article, Removed])
def test_every_field_is_documented_with_its_type(cls):
    doc = inspect.getdoc(cls) or ""
    for f in dataclasses.fields(cls):
        assert f"{f.name} (" in doc, f"{cls.__name__}.{f.name} is not documented"


def test_clean_bag_docstring_names_its_arguments_and_errors():
    batch_dask = pytest.importorskip("cleaner.batch.dask")
    doc = inspect.getdoc(batch_dask.clean_bag) or ""
    for name in ("bag", "common_lines", "dedup", "text_field", "url_field", "input_format", "Returns", "Raises"):
        assert name in doc, name


# ---------------------------------------------------------------- types a type checker sees

def test_the_package_ships_py_typed():
    import tomllib

    assert (Path(cleaner.__file__).parent / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["cleaner"]


USER_SCRIPT = '''
from cleaner import Article, InputFormat, Options, Removed, clean


def clean_page(page: bytes, url: str, how: InputFormat = "html") -> tuple[str, str | None, list[str]]:
    article: Article = clean(page, url=url, options=Options(input_format=how, site_rules=False))
    removed: list[Removed] = article.removed
    categories = [r.category for r in removed if r.line >= 0]
    counts: dict[str, int] = article.removed_counts()
    date: str | None = article.date
    return article.text, article.title or date, categories + list(counts)
'''

MISUSE = '''
from cleaner import Options, clean

a = clean(1)
b = Options(input_format="xml")
c: int = clean("text").title
'''


def run_mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    """mypy --strict on one script, seeing the package as a user's checker sees an installed one.
    (An editable install is an import hook mypy cannot follow, so the package's folder is put on
    MYPYPATH; the package's own modules are not judged here, only what the script sees of them.)"""
    script = tmp_path / "user_script.py"
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(Path(cleaner.__file__).resolve().parent.parent)}
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental",
                           "--cache-dir", str(tmp_path / ".mypy_cache"), str(script)],
                          capture_output=True, text=True, cwd=tmp_path, env=env)


def test_mypy_strict_passes_on_a_script_using_the_api(tmp_path):
    proc = run_mypy(tmp_path, USER_SCRIPT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found" in proc.stdout


def test_mypy_strict_flags_misuse_of_the_api(tmp_path):
    proc = run_mypy(tmp_path, MISUSE)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert 'Argument 1 to "clean" has incompatible type "int"; expected "str | bytes"' in out
    assert "\"Literal['xml']\"; expected \"Literal['auto', 'text', 'html']\"" in out
    assert 'expression has type "str | None", variable has type "int"' in out
