"""``dedupe report``: the data, and the self-contained HTML page driven in a real headless Chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dedupe.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ID_001, ID_002 = "001_11fbaa8c86e3078d.txt", "002_c094ca8cd057c268.txt"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _report(path: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["report", str(SEEDS), "-o", str(path), "-q", *args])
    assert result.exit_code == 0, result.stderr


def test_report_data_has_clusters_members_and_each_text_once(tmp_path: Path) -> None:
    _report(tmp_path / "r.json", "--format", "json")
    data: dict[str, Any] = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))

    assert [c["size"] for c in data["clusters"]] == [2, 1, 1, 1]
    story = data["clusters"][0]
    assert {m["id"] for m in story["members"]} == {ID_001, ID_002}
    assert story["members"][0]["id"] == story["representative"]
    member = story["members"][1]
    assert member["match"] == "rewrite" and member["overlap"]["aligned"] >= 0.3
    assert len(data["texts"]) == 5 and all(isinstance(p, str) for t in data["texts"].values() for p in t)
    assert data["parameters"]["minhash_scheme"] == "affine32"


def test_page_is_self_contained(tmp_path: Path) -> None:
    _report(tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")

    assert "default-src 'none'" in page  # the browser may load nothing else
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package chromium; .ci/run installs it)")
def test_report_in_a_real_browser(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")
    path = tmp_path / "report.html"
    _report(path)
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())

        assert page.locator("#cluster-count").inner_text() == "4"
        assert page.locator("#multi-count").inner_text() == "1"
        rows = page.locator("#clusters tbody tr")
        assert rows.count() == 1  # only the cluster with more than one document
        rows.first.click()
        assert page.locator("#detail h2").inner_text() == "Cluster 0 · 2 documents"
        assert page.locator("#detail svg circle").count() == 2
        page.locator("#members tbody tr").nth(1).click()
        marks = page.locator("#side-by-side mark")
        assert marks.count() > 10 and marks.first.is_visible()
        shared = marks.first.inner_text().lower()
        texts = [(SEEDS / name).read_text(encoding="utf-8").lower() for name in (ID_001, ID_002)]
        assert all(shared in t for t in texts)

        page.locator("#multi").uncheck()
        assert rows.count() == 4
        page.locator("#filter").fill("003_")
        assert rows.count() == 1
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()

    assert requests == [path.as_uri()]  # the page itself, nothing from the network


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package chromium; .ci/run installs it)")
def test_member_titles_link_to_their_web_pages_only(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")
    feed = tmp_path / "feed.jsonl"
    rows = [{"id": "a", "text": (SEEDS / ID_001).read_text(encoding="utf-8"), "url": "https://example.org/a",
             "title": "First version"},
            {"id": "b", "text": (SEEDS / ID_002).read_text(encoding="utf-8"), "url": "javascript:alert(1)",
             "title": "Second version"}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    path = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(feed), "-o", str(path), "-q"])
    assert result.exit_code == 0, result.stderr
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page()
        page.goto(path.as_uri())
        page.locator("#clusters tbody tr").first.click()
        links = page.locator("#members tbody a")
        assert links.count() == 1
        assert links.first.get_attribute("href") == "https://example.org/a"
        assert links.first.inner_text() == "First version"
        assert "Second version" in page.locator("#members tbody").inner_text()
        browser.close()
