"""Dependencies point one way: bot and web → handlers → models, nlp; user texts live in one catalogue."""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"models": {"bot", "handlers", "web", "simulator"}, "nlp": {"bot", "handlers", "web", "models", "simulator"},
             "handlers": {"bot", "web", "simulator"}, "bot": {"simulator"}, "web": {"simulator"}}
CJK = re.compile("[\u4e00-\u9fff]")


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package):
    offenders = {str(p.relative_to(ROOT)): imported_packages(p) & FORBIDDEN[package]
                 for p in (ROOT / package).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_chinese_text_lives_in_the_catalogue_only():
    allowed = {"handlers/texts.py"}
    offenders = []
    for package in ("bot", "handlers", "models", "simulator", "web"):
        for path in (ROOT / package).rglob("*.py"):
            rel = str(path.relative_to(ROOT))
            if rel in allowed:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if CJK.search(code) and '"""' not in line:
                    offenders.append(f"{rel}:{number}")
    assert offenders == []
