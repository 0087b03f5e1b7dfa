"""Shared fixtures: the repo's samples and a way to run the CLI exactly as a user does."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench" / "aeb-dev"
SAMPLE_NAMES = sorted(p.name[: -len(".txt")] for p in SAMPLES.glob("*.txt") if not p.name.endswith(".expected.txt"))


def newsclean_command() -> list[str]:
    """The installed console script next to this interpreter (what `make install` puts in .venv/bin)."""
    script = Path(sys.executable).with_name("newsclean")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleaner"]


def run_cli(*args: str, input: bytes | None = None, env: dict[str, str] | None = None,
            cwd: Path = ROOT) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(newsclean_command() + list(args), input=input, capture_output=True, cwd=cwd,
                          env=full_env, timeout=120)


def run_json(*args: str) -> dict:
    proc = run_cli(*args, "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
