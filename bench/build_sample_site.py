"""Render the bundled sample site (digests/sample) from the labelled eval texts.

    .venv/bin/python bench/build_sample_site.py

Every eval text with a `site:` header becomes an article page on one of three KPU-like sites,
wrapped in the furniture real KPU templates carry (menus, sidebars, share widgets, "Komentar via
Facebook", comment forms with captchas, login widgets, "Baca juga" links), plus each site's
listing page and, for the WordPress site, an RSS 2.0 feed. The output is static and committed;
rerun this after editing a text or a template. See digests/sample/manifest.toml for the
URL-to-file mapping.
"""

# ruff: noqa: E501 - the templates below are HTML, kept one tag-run per line to read like a page

from __future__ import annotations

import html
import shutil
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_divisions import LabelledText, load_eval_set

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "digests" / "sample"
WIB = timezone(timedelta(hours=7))
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
SHORT_MONTHS = [m[:3] if m != "Agustus" else "Agu" for m in MONTHS]
SHORT_MONTHS[9] = "Okt"
SHORT_MONTHS[11] = "Des"


@dataclass(slots=True)
class Page:
    item: LabelledText
    site: str
    key: str  # id (jatim, kpuri) or yyyy/mm/dd/slug (WordPress)
    published: date

    @property
    def slug(self) -> str:
        if self.site == "kpujatim-lama":
            return self.key.rsplit("/", 1)[-1]
        words = "".join(c if c.isalnum() else " " for c in self.item.title.casefold()).split()
        return "-".join(words[:10])

    @property
    def path(self) -> str:
        if self.site == "jatim":
            return f"/jatim/index.php/blog/read/{self.key}_{self.slug}"
        if self.site == "kpuri":
            return f"/kpuri/berita/baca/{self.key}/{self.slug}"
        return f"/kpujatim-lama/{self.key}/"


def e(text: str) -> str:
    return html.escape(text, quote=True)


def long_date(day: date) -> str:
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def body_html(page: Page, style: str = "p") -> str:
    """Paragraphs as <p>, photo captions as figure captions, one page with <br><br> breaks."""
    parts = []
    for paragraph in page.item.paragraphs:
        if paragraph.startswith("Foto:"):
            parts.append(
                '<figure class="wp-caption"><img src="/static/img/kegiatan.jpg" alt="">'
                f"<figcaption>{e(paragraph)}</figcaption></figure>"
            )
        elif paragraph.startswith("Baca juga:"):
            title = paragraph.removeprefix("Baca juga:").strip()
            parts.append(f'<p><strong>Baca juga:</strong> <a href="#">{e(title)}</a></p>')
        else:
            parts.append(f"<p>{e(paragraph)}</p>")
    if style == "br":
        return "<p>" + "<br><br>\n".join(e(p) for p in page.item.paragraphs) + "</p>"
    return "\n".join(parts)


# --- KPU Provinsi Jawa Timur (regional template) ---------------------------------------------

JATIM_MENU = """<nav class="navbar"><ul class="nav">
<li><a href="/jatim/">Beranda</a></li><li><a href="/jatim/index.php/profil">Profil</a></li>
<li><a href="/jatim/index.php/blog/category/104">Berita Terkini</a></li>
<li><a href="/jatim/index.php/regulasi">Regulasi</a></li><li><a href="/jatim/index.php/ppid">PPID</a></li>
<li><a href="https://jdih.kpu.go.id">JDIH</a></li><li><a href="/jatim/index.php/galeri">Galeri</a></li>
<li><a href="/jatim/index.php/kontak">Kontak</a></li></ul></nav>"""

JATIM_FOOTER = """<footer class="footer"><div class="container">
<p>KPU Provinsi Jawa Timur</p><p>Jl. Tenggilis Mejoyo Kav. 1-3, Surabaya 60292</p>
<p>Telp. (031) 8470000 · Email: humas@jatim.kpu.go.id</p>
<p>© 2024 KPU Provinsi Jawa Timur. Hak cipta dilindungi.</p></div></footer>"""


def jatim_sidebar(pages: list[Page], current: Page | None) -> str:
    items = "".join(
        f'<li><a href="{p.path}">{e(p.item.title)}</a>'
        f'<span class="date">{p.published.day} {SHORT_MONTHS[p.published.month - 1]}</span></li>'
        for p in pages
        if p is not current
    )
    return (
        '<aside class="sidebar"><div class="widget"><h4>Berita Terkini</h4>'
        f'<ul class="list-news">{items}</ul></div>'
        '<div class="widget"><h4>Tautan</h4><ul><li><a href="https://www.kpu.go.id">KPU RI</a></li>'
        '<li><a href="https://cekdptonline.kpu.go.id">Cek DPT Online</a></li>'
        '<li><a href="https://infopemilu.kpu.go.id">Info Pemilu</a></li></ul></div>'
        '<div class="widget"><h4>Statistik Pengunjung</h4><p>Hari ini: 1.204</p>'
        "<p>Total: 2.318.552</p></div></aside>"
    )


def jatim_article(page: Page, pages: list[Page]) -> str:
    title = page.item.title
    published = datetime(*page.published.timetuple()[:3], 9, 30, tzinfo=WIB)
    style = "br" if page.key == "7580" else "p"
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<title>{e(title)} – KPU Provinsi Jawa Timur</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{e(title)}">
<meta property="og:site_name" content="KPU Provinsi Jawa Timur">
<meta property="article:published_time" content="{published.isoformat()}">
<link rel="stylesheet" href="/static/css/app.css"></head>
<body>
<header class="header"><div class="logo"><a href="/jatim/"><img src="/static/img/logo-kpu.png" alt="KPU"></a>
<span>KPU Provinsi Jawa Timur</span></div>{JATIM_MENU}
<form class="search" action="/jatim/index.php/search"><input name="q" placeholder="Cari berita..."></form></header>
<div class="container"><div class="row"><main class="col-md-8">
<ol class="breadcrumb"><li><a href="/jatim/">Beranda</a></li><li><a href="/jatim/index.php/blog/category/104">Berita Terkini</a></li></ol>
<article class="blog-item">
<h1 class="blog-title">{e(title)}</h1>
<div class="blog-meta"><span class="blog-date">{long_date(page.published)}</span> · <span class="author">Humas KPU Jatim</span> · <span class="hits">Dilihat: 1.342 kali</span></div>
<div class="blog-content">
{body_html(page, style)}
</div>
<div class="share-widget"><span>Share:</span>
<a href="https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fjatim.kpu.go.id{e(page.path)}">Facebook</a>
<a href="https://twitter.com/intent/tweet?url=https%3A%2F%2Fjatim.kpu.go.id{e(page.path)}">Twitter</a>
<a href="https://api.whatsapp.com/send?text={e(page.path)}">WhatsApp</a></div>
</article>
<section class="comments"><h3>Komentar via Facebook</h3>
<div class="fb-comments" data-href="https://jatim.kpu.go.id{e(page.path)}" data-width="100%"></div>
<h3>Tinggalkan Komentar</h3>
<form class="comment-form" method="post"><p><label>Nama *</label><input name="nama"></p>
<p><label>Email *</label><input name="email"></p><p><label>Komentar</label><textarea name="komentar"></textarea></p>
<p class="captcha"><label>32 − 23 =</label><input name="captcha"></p>
<p><button type="submit">Kirim Komentar</button></p></form></section>
</main>
{jatim_sidebar(pages, page)}
</div></div>
{JATIM_FOOTER}
</body></html>
"""


def jatim_listing(pages: list[Page]) -> str:
    entries = "\n".join(
        f"""<div class="blog-list-item"><h3><a href="{p.path}">{e(p.item.title)}</a></h3>
<span class="blog-date">{long_date(p.published)}</span>
<p>{e(p.item.paragraphs[0][:220])}…</p><a class="more" href="{p.path}">Selengkapnya</a></div>"""
        for p in pages
    )
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Berita Terkini – KPU Provinsi Jawa Timur</title></head>
<body><header class="header"><span>KPU Provinsi Jawa Timur</span>{JATIM_MENU}</header>
<div class="container"><main><h2>Berita Terkini</h2>
{entries}
<ul class="pagination"><li class="active"><a href="/jatim/index.php/blog/category/104">1</a></li>
<li><a href="/jatim/index.php/blog/category/104?page=2">2</a></li></ul></main>
{jatim_sidebar([], None)}</div>
{JATIM_FOOTER}</body></html>
"""


# --- KPU RI ------------------------------------------------------------------------------------

KPURI_HEADER = """<header class="site-header"><div class="top-bar">
<a href="/kpuri/">Komisi Pemilihan Umum Republik Indonesia</a>
<div class="account-widget"><a href="#login">Account</a>
<div class="modal" id="login"><p>Please wait, authorizing ...</p><button class="close">×</button></div></div></div>
<nav><ul><li><a href="/kpuri/">Beranda</a></li><li><a href="/kpuri/berita/104/berita-terkini">Berita Terkini</a></li>
<li><a href="/kpuri/pengumuman">Pengumuman</a></li><li><a href="/kpuri/jdih">Produk Hukum</a></li>
<li><a href="/kpuri/ppid">PPID</a></li><li><a href="/kpuri/kontak">Hubungi Kami</a></li></ul></nav></header>"""

KPURI_FOOTER = """<footer><p>Komisi Pemilihan Umum Republik Indonesia</p>
<p>Jl. Imam Bonjol No. 29, Menteng, Jakarta Pusat 10310</p><p>Copyright © KPU RI</p></footer>"""


def kpuri_article(page: Page, pages: list[Page]) -> str:
    title = page.item.title
    related = "".join(
        f'<li><a href="{p.path}">{e(p.item.title)}</a> <small class="date">'
        f"{p.published.day} {SHORT_MONTHS[p.published.month - 1]}</small></li>"
        for p in pages
        if p is not page
    )
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{e(title)} | KPU RI</title>
<meta property="og:title" content="{e(title)}"><meta property="og:site_name" content="KPU RI"></head>
<body>{KPURI_HEADER}
<div class="page"><div class="content">
<div class="post-header"><h1>{e(title)}</h1>
<div class="post-date">{long_date(page.published)}</div></div>
<div class="post-body">
{body_html(page)}
</div>
<div class="post-tags">Tags: <a href="#">kpu</a>, <a href="#">pemilu</a></div>
<div class="share">Bagikan: <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">WhatsApp</a></div>
</div>
<aside class="related"><h3>Berita Terkait</h3><ul>{related}</ul></aside></div>
{KPURI_FOOTER}</body></html>
"""


def kpuri_listing(pages: list[Page]) -> str:
    entries = "\n".join(
        f"""<div class="card"><a href="{p.path}"><h4>{e(p.item.title)}</h4></a>
<p class="date">{long_date(p.published)}</p></div>"""
        for p in pages
    )
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Berita Terkini | KPU RI</title></head>
<body>{KPURI_HEADER}<div class="page"><h2>Berita Terkini</h2>
{entries}
</div>{KPURI_FOOTER}</body></html>
"""


# --- KPU Jatim legacy WordPress -----------------------------------------------------------------


def wp_sidebar() -> str:
    return """<div id="secondary" class="widget-area"><aside class="widget"><h3 class="widget-title">Kategori</h3>
<ul><li><a href="/kpujatim-lama/category/berita/">Berita</a></li><li><a href="/kpujatim-lama/category/pengumuman/">Pengumuman</a></li></ul></aside>
<aside class="widget"><h3 class="widget-title">Arsip</h3><ul><li><a href="#">Oktober 2016</a></li><li><a href="#">September 2016</a></li></ul></aside></div>"""


def wp_article(page: Page) -> str:
    title = page.item.title
    badge = f"{page.published.day} {SHORT_MONTHS[page.published.month - 1]}"
    return f"""<!DOCTYPE html>
<html lang="id-ID"><head><meta charset="UTF-8">
<title>{e(title)} | KPU Provinsi Jawa Timur</title>
<link rel="alternate" type="application/rss+xml" title="KPU Jatim &raquo; Feed" href="/kpujatim-lama/feed/">
<meta name="generator" content="WordPress 4.6.1"></head>
<body class="post-template-default single single-post">
<div id="page" class="site"><header id="masthead" class="site-header"><p class="site-title"><a href="/kpujatim-lama/">KPU Provinsi Jawa Timur</a></p>
<nav id="site-navigation" class="main-navigation"><ul><li><a href="/kpujatim-lama/">Home</a></li>
<li><a href="/kpujatim-lama/profil/">Profil</a></li><li><a href="/kpujatim-lama/category/berita/">Berita</a></li></ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article class="post type-post status-publish format-standard hentry category-berita">
<div class="entry-date-badge">{badge}</div>
<header class="entry-header"><h1 class="entry-title">{e(title)}</h1></header>
<div class="entry-content">
{body_html(page)}
</div>
<footer class="entry-footer"><div class="sharedaddy"><h3 class="sd-title">Share this:</h3>
<ul><li><a href="#">Facebook</a></li><li><a href="#">Twitter</a></li></ul></div></footer>
</article>
<div class="fb-comments-wrap"><h3>Komentar via Facebook</h3><div class="fb-comments"></div></div>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Tinggalkan Balasan</h3>
<form action="/kpujatim-lama/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes"><span id="email-notes">Alamat email Anda tidak akan dipublikasikan.</span> Ruas yang wajib ditandai <span class="required">*</span></p>
<p class="comment-form-comment"><label for="comment">Komentar</label><textarea id="comment" name="comment"></textarea></p>
<p class="comment-form-author"><label for="author">Nama *</label><input id="author" name="author"></p>
<p class="comment-form-email"><label for="email">Email *</label><input id="email" name="email"></p>
<p class="comment-form-url"><label for="url">Situs Web</label><input id="url" name="url"></p>
<p class="math-captcha"><label>32 − 23 =</label><input name="mc-value"></p>
<p class="form-submit"><input name="submit" type="submit" value="Kirim Komentar"></p></form></div></div>
</main></div>
{wp_sidebar()}</div>
<footer id="colophon" class="site-footer"><p>KPU Provinsi Jawa Timur · Proudly powered by WordPress</p></footer></div>
</body></html>
"""


def wp_home(pages: list[Page]) -> str:
    entries = "\n".join(
        f"""<article class="post"><div class="entry-date-badge">{p.published.day} {SHORT_MONTHS[p.published.month - 1]}</div>
<h2 class="entry-title"><a href="{p.path}">{e(p.item.title)}</a></h2>
<div class="entry-summary"><p>{e(p.item.paragraphs[0][:200])} [&hellip;]</p></div></article>"""
        for p in pages
    )
    return f"""<!DOCTYPE html>
<html lang="id-ID"><head><meta charset="UTF-8"><title>KPU Provinsi Jawa Timur</title>
<link rel="alternate" type="application/rss+xml" title="KPU Jatim &raquo; Feed" href="/kpujatim-lama/feed/"></head>
<body class="home blog"><header><p class="site-title">KPU Provinsi Jawa Timur</p></header>
<main>{entries}</main>{wp_sidebar()}</body></html>
"""


def wp_feed(pages: list[Page]) -> str:
    items = []
    for p in pages:
        moment = datetime(*p.published.timetuple()[:3], 8, 0, tzinfo=WIB)
        description = e(p.item.paragraphs[0][:200]) + " [&#8230;]"
        items.append(f"""  <item>
    <title>{e(p.item.title)}</title>
    <link>{p.path}</link>
    <pubDate>{format_datetime(moment)}</pubDate>
    <dc:creator><![CDATA[humas]]></dc:creator>
    <category><![CDATA[Berita]]></category>
    <guid isPermaLink="false">{p.path}</guid>
    <description>{description}</description>
  </item>""")
    newest = format_datetime(datetime(*pages[0].published.timetuple()[:3], 8, 0, tzinfo=WIB))
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>KPU Provinsi Jawa Timur</title>
  <atom:link href="/kpujatim-lama/feed/" rel="self" type="application/rss+xml" />
  <link>/kpujatim-lama/</link>
  <description>Komisi Pemilihan Umum Provinsi Jawa Timur</description>
  <lastBuildDate>{newest}</lastBuildDate>
  <language>id-ID</language>
  <generator>https://wordpress.org/?v=4.6.1</generator>
{body}
</channel>
</rss>
"""


def write(path: str, text: str) -> None:
    """Write the page for URL `path`: `<path>/index.html`, or the file itself if it has a suffix."""
    target = OUT / path.strip("/")
    if not target.suffix:
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def main() -> int:
    pages: dict[str, list[Page]] = {"jatim": [], "kpuri": [], "kpujatim-lama": []}
    for item in load_eval_set():
        site = item.fields.get("site")
        if not site:
            continue
        site_key, key = site.split()
        published = date.fromisoformat(item.fields["published"])
        pages[site_key].append(Page(item, site_key, key, published))
    for site_pages in pages.values():
        site_pages.sort(key=lambda p: p.published, reverse=True)

    for site_key in pages:
        shutil.rmtree(OUT / site_key, ignore_errors=True)
    for page in pages["jatim"]:
        write(page.path, jatim_article(page, pages["jatim"][:5]))
    write("/jatim/index.php/blog/category/104", jatim_listing(pages["jatim"]))
    for page in pages["kpuri"]:
        write(page.path, kpuri_article(page, pages["kpuri"][:4]))
    write("/kpuri/berita/104/berita-terkini", kpuri_listing(pages["kpuri"]))
    for page in pages["kpujatim-lama"]:
        write(page.path, wp_article(page))
    write("/kpujatim-lama/", wp_home(pages["kpujatim-lama"]))
    write("/kpujatim-lama/feed.xml", wp_feed(pages["kpujatim-lama"]))
    total = sum(len(p) for p in pages.values())
    print(f"wrote {total} article pages to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
