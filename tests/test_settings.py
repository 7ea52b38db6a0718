"""Settings: read from the environment in settings.py only, every one in README's table,
and each read where its number is used (a raised name limit reaches the matcher)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "sanctum"


def test_only_settings_reads_the_environment() -> None:
    found = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "settings.py" and re.search(r"os\.environ|getenv", path.read_text("utf-8"))
    ]
    assert not found


def _variables() -> set[str]:
    """Every `SANCTUM_*` name settings.py reads (a prefix, as `SANCTUM_URL_`, ends in _)."""
    names = set()
    for node in ast.walk(ast.parse((PACKAGE / "settings.py").read_text("utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.update(re.findall(r"\bSANCTUM_[A-Z_]+", node.value))
    return names


def test_every_setting_is_in_the_readme_table() -> None:
    table = [
        line for line in (ROOT / "README.md").read_text("utf-8").splitlines() if line[:3] == "| `"
    ]
    listed = " ".join(table)
    variables = _variables()
    assert {"SANCTUM_API_OPEN", "SANCTUM_RUN_SERVE", "SANCTUM_URL_"} <= variables
    missing = [
        v
        for v in sorted(variables)
        if (f"`{v}<" not in listed if v.endswith("_") else f"`{v}`" not in listed)
    ]
    assert not missing


def test_a_raised_name_limit_is_not_cut_by_the_matcher() -> None:
    code = (
        "from sanctum.names.normalize import clean\n"
        "from sanctum.match.query import parse_query\n"
        "name = 'a' * 1500\n"
        "print(len(clean(name)), len(parse_query({'properties': {'name': [name]}}).names[0]))\n"
    )
    env = {**os.environ, "SANCTUM_MAX_NAME": "2000", "SANCTUM_PURE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1500", "1500"]
