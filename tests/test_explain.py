"""`kpu-digest explain`: an operator sees why an article got its divisions, as a real process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from digests.sample.loopback import LoopbackServer
from digests.summary.classify import classify
from digests.summary.divisions import load_divisions
from digests.summary.pipeline import process_html, process_text
from tests.fixture_site import NewsSite

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "eval" / "seeds"
SAMPLE_PAGE = next((ROOT / "digests" / "sample" / "jatim").rglob("7803_*/index.html"))
_DIVISION_LINE = re.compile(r"^(\w+) — .*: (\d+\.\d\d) (TAGGED|below)$")
_REASON_LINE = re.compile(r"^\s+([+-]\d+\.\d\d)  (.*): weight ([\d.]+) × ([\d.]+)$")


def run_explain(target: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "digests.cli", "explain", target],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def parse(stdout: str) -> tuple[list[str], dict[str, float], dict[str, list[tuple]], float]:
    """(result, score per division, reasons per division, threshold) from explain's output."""
    result = re.search(r"^result: (.*)$", stdout, re.M)[1].split(", ")  # type: ignore[index]
    threshold = float(re.search(r"^threshold ([\d.]+);", stdout, re.M)[1])  # type: ignore[index]
    scores: dict[str, float] = {}
    reasons: dict[str, list[tuple]] = {}
    current = None
    for line in stdout.splitlines():
        if match := _DIVISION_LINE.match(line):
            current = match[1]
            scores[current] = float(match[2])
            reasons[current] = []
        elif (match := _REASON_LINE.match(line)) and current:
            reasons[current].append((float(match[1]), match[2], float(match[3]), float(match[4])))
    return result, scores, reasons, threshold


def test_explain_on_a_real_article_shows_the_words_behind_each_score() -> None:
    path = SEEDS / "kpu-ri-konsolnas-2019.txt"
    done = run_explain(str(path))
    assert done.returncode == 0, done.stderr
    result, scores, reasons, threshold = parse(done.stdout)

    article = process_text(path.read_text(encoding="utf-8"))
    catalog = load_divisions()
    assert result == classify(article.title, article.text) == article.divisions
    assert "sekretariat" in result
    assert threshold == catalog.settings.threshold
    assert scores and set(scores) == set(reasons)
    for slug, value in scores.items():
        # each score is the sum of the reasons printed under it, each weight × counted hits
        assert abs(sum(points for points, *_ in reasons[slug]) - value) < 0.05, slug
        for points, _what, weight, counted in reasons[slug]:
            assert abs(weight * counted - points) < 0.01
    # a word of the article, with the weight the data file gives it and where it was found
    keywords = catalog.get("sekretariat").keywords  # type: ignore[union-attr]
    sekjen = [r for r in reasons["sekretariat"] if r[1].startswith('"sekjen" (body')]
    assert sekjen and sekjen[0][2] == round(keywords["sekjen"], 2)
    tagged = [line for line in done.stdout.splitlines() if line.endswith(" TAGGED")]
    assert [line.split(" ")[0] for line in tagged] == sorted(result, key=lambda s: -scores[s])


def test_explain_reads_an_html_page_as_summarize_does() -> None:
    done = run_explain(str(SAMPLE_PAGE))
    assert done.returncode == 0, done.stderr
    result, scores, _, _ = parse(done.stdout)
    article = process_html(SAMPLE_PAGE.read_bytes())
    assert result == article.divisions
    assert f"title: {article.title}" in done.stdout
    assert "perencanaan" in scores and '"logistik" (' in done.stdout


def test_explain_fetches_a_url(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        site = NewsSite("regional", name="KPU Explain", count=1, seed=3)
        site.serve(server)
        url = site.url_of(site.articles[0])
        done = run_explain(url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"== {url}\n")
    assert f"title: {site.articles[0].title}" in done.stdout


def test_explain_says_why_it_cannot_read_an_input(tmp_path: Path) -> None:
    done = run_explain(str(tmp_path / "tidak-ada.txt"))
    assert done.returncode == 1
    assert "tidak-ada.txt" in done.stderr and done.stdout == ""
