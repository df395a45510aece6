"""Benchmark: extract + summarise + tag, beside trafilatura's extraction alone, on the same pages.

Pages: every bundled sample page, plus every article text of the evaluation sets rendered into
the three real KPU page shapes (regional blog, KPU RI, legacy WordPress) with their menus,
share widgets, comment forms and captchas — a few hundred real-looking pages.

    .venv/bin/python bench/pipeline.py [--rounds 3]

Prints pages per second (CPU time) for: trafilatura.extract alone (the floor), our extraction
(`extract_article`), and the whole pipeline, and the share the summarising and tagging add on
top of our extraction.
"""

from __future__ import annotations

import argparse
import html
import json
import statistics
import time
from pathlib import Path

import trafilatura

from digests.sample import iter_sample_pages
from digests.summary.extract import extract_article
from digests.summary.pipeline import process_html, summarise_and_tag

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"

MENU = "".join(
    f'<li><a href="/{slug}">{label}</a></li>'
    for slug, label in [
        ("", "Beranda"),
        ("profil", "Profil"),
        ("berita", "Berita Terkini"),
        ("regulasi", "Regulasi"),
        ("ppid", "PPID"),
        ("galeri", "Galeri"),
        ("kontak", "Kontak"),
    ]
)
JUNK_TAIL = (
    '<div class="share"><span>Share:</span> <a href="#">Facebook</a> <a href="#">Twitter</a>'
    ' <a href="#">WhatsApp</a></div><section class="comments"><h3>Komentar via Facebook</h3>'
    "<h3>Tinggalkan Balasan</h3><p>Alamat email Anda tidak akan dipublikasikan. Ruas yang wajib "
    "ditandai *</p><form><label>Nama *</label><input><label>32 − 23 =</label><input>"
    "<button>Kirim Komentar</button></form></section><div class='login'>Account<br>"
    "Please wait, authorizing ...<span>×</span></div>"
)


def _body(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def regional(title: str, paragraphs: list[str]) -> str:
    return (
        f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>{html.escape(title)} – "
        "KPU Provinsi Jawa Timur</title></head><body><header><nav><ul>"
        f"{MENU}</ul></nav></header><main><article><h1>{html.escape(title)}</h1>"
        "<div class='blog-meta'>Kamis, 12 September 2024 · Humas KPU Jatim · Dilihat: 1.305</div>"
        f"<div class='blog-content'>{_body(paragraphs)}</div></article>{JUNK_TAIL}</main>"
        "<aside><h4>Berita Terkini</h4><ul><li><a href='/blog/read/1_a'>Rapat pleno</a></li></ul>"
        "</aside><footer>© 2024 KPU Provinsi Jawa Timur</footer></body></html>"
    )


def kpu_ri(title: str, paragraphs: list[str]) -> str:
    return (
        f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>{html.escape(title)}"
        "</title><meta property='og:site_name' content='KPU RI'></head><body><div class='top'>"
        f"<ul class='menu'>{MENU}</ul></div><div class='content'><h2 class='judul'>"
        f"{html.escape(title)}</h2><div class='tanggal'>Sabtu, 2 November 2024</div>"
        f"<div class='isi'>{_body(paragraphs)}</div><div class='baca-juga'>Baca juga: Rapat "
        f"Koordinasi Nasional</div></div>{JUNK_TAIL}<footer>KPU RI</footer></body></html>"
    )


def wordpress(title: str, paragraphs: list[str]) -> str:
    return (
        f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>{html.escape(title)} | "
        "KPU Jatim</title><meta property='article:published_time' "
        "content='2018-06-12T08:00:00+07:00'>"
        f"</head><body class='single'><div id='masthead'><ul>{MENU}</ul></div><div id='primary'>"
        f"<article class='post'><h1 class='entry-title'>{html.escape(title)}</h1>"
        f"<div class='entry-content'>{_body(paragraphs)}</div></article>{JUNK_TAIL}</div>"
        "<div id='secondary'><h3>Arsip</h3><ul><li>Juni 2018</li></ul></div></body></html>"
    )


def eval_articles() -> list[tuple[str, list[str]]]:
    articles: list[tuple[str, list[str]]] = []
    for path in sorted((EVAL / "divisions").glob("*.txt")):
        header, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        title = next(
            (line[6:].strip() for line in header.splitlines() if line.startswith("title:")),
            path.stem,
        )
        articles.append((title, [p.strip() for p in body.split("\n\n") if p.strip()]))
    for item in json.loads((EVAL / "summaries" / "articles.json").read_text(encoding="utf-8")):
        articles.append((item["title"], item["paragraphs"]))
    return articles


def build_pages() -> list[str]:
    pages = [page.html for page in iter_sample_pages()]
    for title, paragraphs in eval_articles():
        pages.extend(shape(title, paragraphs) for shape in (regional, kpu_ri, wordpress))
    return pages


def trafilatura_alone(page: str) -> object:
    return trafilatura.extract(page, favor_precision=True)


def time_trafilatura(pages: list[str]) -> float:
    """CPU seconds per page of trafilatura's extraction alone."""
    started = time.process_time()
    for page in pages:
        trafilatura_alone(page)
    return (time.process_time() - started) / len(pages)


def time_pipeline(pages: list[str]) -> tuple[float, float, int]:
    """CPU seconds per article of our extraction and of summarise + tag, timed page by page.

    Timing both steps on the same page, one right after the other, keeps the ratio honest on a
    noisy machine: a slow spell slows both.
    """
    extracting = summarising = 0.0
    articles = 0
    for page in pages:
        started = time.process_time()
        try:
            article = extract_article(page)
        except ValueError:
            continue
        extracted = time.process_time()
        summarise_and_tag(article)
        summarising += time.process_time() - extracted
        extracting += extracted - started
        articles += 1
    return extracting / articles, summarising / articles, articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pages = build_pages()
    for page in pages[:20]:  # warm caches: data files, compiled patterns
        process_html(page)
    alone = statistics.median(time_trafilatura(pages) for _ in range(args.rounds))
    rounds = [time_pipeline(pages) for _ in range(args.rounds)]
    extract = statistics.median(r[0] for r in rounds)
    added = statistics.median(r[1] for r in rounds)
    full = extract + added
    print(
        f"pages: {len(pages)}, articles: {rounds[0][2]} (CPU time, median of {args.rounds} rounds)"
    )
    print(f"trafilatura.extract alone : {1 / alone:8.1f} pages/s  {alone * 1000:6.2f} ms/page")
    print(f"our extraction            : {1 / extract:8.1f} pages/s  {extract * 1000:6.2f} ms/page")
    print(f"extract+summarise+tag     : {1 / full:8.1f} pages/s  {full * 1000:6.2f} ms/page")
    print(
        f"summarise+tag add         : {added * 1000:6.2f} ms/page = {added / extract * 100:.1f} % "
        "on top of our extraction"
    )
    print(f"whole pipeline vs trafilatura alone: {(full - alone) / alone * 100:+6.1f} %")


if __name__ == "__main__":
    main()
