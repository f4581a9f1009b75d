"""The vendored front-end files: each one noted with its version and licence, none loading from elsewhere."""
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor"
TEMPLATES = VENDOR.parents[1] / "templates"
#: What would make a browser fetch from another host: CSS imports and url()s, script or link sources.
REMOTE = re.compile(r"""@import\s+(url\()?\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|(src|href)\s*=\s*["']?(https?:)?//""")


def noted_folders() -> dict[str, list[str]]:
    """The folders and files VERSIONS.md lists."""
    rows = [line.split("|") for line in (VENDOR / "VERSIONS.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `")]
    return {row[1].strip(" `/"): row[5].split() for row in rows}


def test_every_vendored_file_is_noted_with_version_and_licence():
    noted = noted_folders()
    assert set(noted) == {"tabler", "htmx", "weui", "echarts", "fonts"}
    present = {p.name: sorted(f.name for f in p.iterdir()) for p in VENDOR.iterdir() if p.is_dir()}
    assert present == {folder: sorted(files) for folder, files in noted.items()}
    for line in (VENDOR / "VERSIONS.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            _, _, package, version, licence, _, _ = line.split("|")
            assert re.fullmatch(r" \d+\.\d+\.\d+ ", version) and licence.strip(), line


def test_nothing_loads_from_another_host():
    files = [*VENDOR.rglob("*.css"), *VENDOR.rglob("*.js"), *TEMPLATES.rglob("*.html")]
    offenders = [str(p.relative_to(VENDOR.parents[2])) for p in files
                 if REMOTE.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert len(files) > 10 and offenders == []


def status(client, path):
    """The status of a GET, closing the streamed file it answers with."""
    with client.get(path) as response:
        return response.status_code


def test_the_pages_link_files_that_are_there(client):
    page = client.get("/login").get_data(as_text=True)
    links = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert any("tabler.min.css" in link for link in links) and any("htmx.min.js" in link for link in links)
    assert {link: status(client, link) for link in links} == {link: 200 for link in links}
