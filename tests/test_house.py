"""The house rules of the code's layout: no import cycle among cleaner's modules, no module too
long to read; and scripts/import_cycles.py, which checks the first, on small packages written here."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

IMPORT_CYCLES = ROOT / "scripts" / "import_cycles.py"
# No module of cleaner/ is longer than this many lines (the layout aims at about 600).
MAX_MODULE_LINES = 650


def _import_cycles(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(IMPORT_CYCLES), *args], capture_output=True, text=True, timeout=120)


def _package(root: Path, files: dict[str, str]) -> Path:
    """A package folder `root/pkg` holding `files` (relative path -> source); returns its folder."""
    pkg = root / "pkg"
    for name, source in files.items():
        path = pkg / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return pkg


def test_import_cycles_finds_a_cycle_closed_by_an_import_inside_a_function(tmp_path: Path) -> None:
    pkg = _package(tmp_path, {
        "__init__.py": "",
        "blocks.py": "from .label import label\n\nSIZE = 3\n",
        "label.py": "def label(blocks):\n    from .blocks import SIZE\n    return SIZE\n",
    })
    done = _import_cycles(str(pkg))
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "pkg.blocks -> pkg.label -> pkg.blocks",
        "    pkg/blocks.py:1 imports pkg.label",
        "    pkg/label.py:2 imports pkg.blocks",
        "1 import cycle among the 3 modules of pkg",
    ]


def test_import_cycles_lists_every_cycle_of_a_tangle_once(tmp_path: Path) -> None:
    # a -> b -> a and a -> b -> c -> a: two cycles through the same modules, each printed once
    pkg = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "import pkg.b\n",
        "b.py": "from . import a\nfrom .c import f\n",
        "c.py": "from pkg.a import *\ndef f(): pass\n",
    })
    done = _import_cycles(str(pkg))
    assert done.returncode == 1
    cycles = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert cycles == ["pkg.a -> pkg.b -> pkg.a", "pkg.a -> pkg.b -> pkg.c -> pkg.a",
                      "2 import cycles among the 4 modules of pkg"]


def test_import_cycles_does_not_count_entering_a_parent_package(tmp_path: Path) -> None:
    # pkg/__init__ imports read, and read's modules import each other and pkg.errors: no cycle,
    # although importing pkg.read.files first runs pkg/__init__.py and pkg/read/__init__.py
    pkg = _package(tmp_path, {
        "__init__.py": "from .read import read_document\n",
        "errors.py": "class InputError(Exception): pass\n",
        "read/__init__.py": "from .files import read_document\n",
        "read/files.py": "from ..errors import InputError\nfrom . import decode\n\ndef read_document(p): pass\n",
        "read/decode.py": "from ..errors import InputError\n",
    })
    done = _import_cycles(str(pkg))
    assert (done.returncode, done.stdout) == (0, "no import cycle among the 5 modules of pkg\n")


def test_import_cycles_counts_a_name_taken_from_the_parent_package(tmp_path: Path) -> None:
    # `from . import VERSION` needs pkg/__init__.py to have run that far: a real cycle
    pkg = _package(tmp_path, {
        "__init__.py": "from .cli import main\nVERSION = '1'\n",
        "cli.py": "from . import VERSION\n\ndef main(): pass\n",
    })
    done = _import_cycles(str(pkg))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == "pkg -> pkg.cli -> pkg"


def test_import_cycles_names_a_file_that_does_not_parse(tmp_path: Path) -> None:
    pkg = _package(tmp_path, {"__init__.py": "", "bad.py": "x = 1\ndef (:\n"})
    done = _import_cycles(str(pkg))
    assert done.returncode == 2
    assert done.stderr.startswith(f"import_cycles: {pkg / 'bad.py'}:2: does not parse")


def test_no_import_cycle_among_the_modules_of_cleaner() -> None:
    done = _import_cycles()
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_of_cleaner_is_over_the_line_limit() -> None:
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / "cleaner").rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}, f"modules over {MAX_MODULE_LINES} lines: {long}"
