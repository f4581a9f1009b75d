"""The project explains itself: the README's and docs' links resolve inside the repository."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)#\s]+)")


def test_links_resolve_inside_the_repository():
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for document in documents:
        text = document.read_text(encoding="utf-8")
        for target in LINK.findall(text):
            if target.startswith(("http://", "https://")):
                continue
            resolved = (document.parent / target).resolve()
            if not resolved.exists() or ROOT not in resolved.parents:
                broken.append(f"{document.relative_to(ROOT)} -> {target}")
        broken += [f"{document.relative_to(ROOT)} -> {ref}" for ref in re.findall(r"`(\.\./[^`]+)`", text)]
    assert {d.name for d in documents} >= {"README.md", "architecture.md", "domain.md", "operations.md"}
    assert broken == []
