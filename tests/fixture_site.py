"""Fixture news sites in the three real KPU shapes, served over real HTTP on 127.0.0.1.

- `regional`: a provincial KPU site (CodeIgniter template): listing `/index.php/blog/category/104`
  paginated by offset (`/104/5`, "›"), articles at `/index.php/blog/read/<id>_<slug>`.
- `ri`: KPU RI: listing `/berita/104/berita-terkini` paginated with `?page=N` and rel="next",
  articles at `/berita/baca/<id>/<slug>`.
- `wordpress`: a legacy WordPress site: RSS at `/feed/`, articles at `/YYYY/MM/DD/slug/`.

Article texts are generated from a seeded random generator so every article is distinct (no
accidental near-duplicates), with datelines, quotes and Indonesian dates like the real pages.
Sites can gain articles and have articles edited between crawls; the server answers
conditional requests, and `site.hits` counts what each crawl cost.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from digests.sample.loopback import LoopbackServer, Response, Site

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
WORDS = """
pemilih tahapan pemilu pilkada rekapitulasi logistik anggaran sosialisasi partisipasi
masyarakat penyelenggara badan adhoc panitia pemungutan suara kecamatan kelurahan desa
daftar pemutakhiran data coklit pantarlih kotak surat tinta bilik distribusi gudang
kabupaten kota provinsi komisioner ketua anggota divisi teknis hukum pengawasan sekretariat
pegawai pelatihan bimbingan evaluasi laporan keuangan hibah naskah perjanjian regulasi
peraturan keputusan rapat pleno terbuka koordinasi konsolidasi nasional daerah wilayah
kegiatan program pelaksanaan persiapan verifikasi administrasi faktual dukungan calon
perseorangan partai politik peserta kampanye jadwal waktu hari minggu bulan tahun
pemantau lembaga survei media wartawan publik informasi layanan aplikasi sistem
jaringan internet server keamanan petugas relawan demokrasi pemula milenial sekolah
kampus mahasiswa siswa guru desa adat tokoh agama perempuan disabilitas inklusif
akses tempat lokasi fasilitas jalan jembatan pulau perahu kendaraan cuaca hujan
musim kebijakan strategi inovasi kualitas integritas transparansi akuntabilitas profesional
mandiri netral jujur adil langsung umum bebas rahasia serentak tepat cermat teliti
""".split()  # noqa: SIM905  (a word list reads better as prose)
PLACES = ["Surabaya", "Malang", "Kediri", "Jember", "Madiun", "Sidoarjo", "Jakarta", "Medan"]
PEOPLE = ["Eko Sasmito", "Choirul Anam", "Nur Aini", "Gogot Cahyo", "Rini Lestari", "Ahmad Fauzi"]


@dataclass(slots=True)
class FixtureArticle:
    id: int
    slug: str
    title: str
    paragraphs: list[str]
    published: datetime
    version: datetime = field(default_factory=lambda: datetime(2024, 10, 21, 3, tzinfo=UTC))


def indonesian_date(moment: datetime) -> str:
    return f"{DAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def generate_paragraphs(rng: random.Random, site_label: str, count: int = 4) -> list[str]:
    """A news body: dateline, body sentences of random vocabulary, one attributed quote."""

    def sentence(length: int) -> str:
        words = [rng.choice(WORDS) for _ in range(length)]
        return " ".join(words).capitalize() + "."

    place = rng.choice(PLACES)
    paragraphs = [
        f"{place}, {site_label} – " + " ".join(sentence(rng.randint(12, 18)) for _ in range(2))
    ]
    for _ in range(count - 2):
        paragraphs.append(" ".join(sentence(rng.randint(10, 20)) for _ in range(3)))
    quote = sentence(rng.randint(10, 14)).rstrip(".")
    paragraphs.append(f"“{quote},” kata Ketua KPU, {rng.choice(PEOPLE)}.")
    return paragraphs


def generate_title(rng: random.Random) -> str:
    return "KPU " + " ".join(rng.choice(WORDS) for _ in range(6)).title()


class NewsSite:
    """One fixture site; `articles` newest first. Serve it with `serve(server)`."""

    def __init__(
        self,
        shape: str,
        *,
        name: str = "KPU Fixture",
        count: int = 8,
        per_page: int = 5,
        seed: int = 1,
        first_id: int = 100,
        age: timedelta = timedelta(0),
    ) -> None:
        assert shape in ("regional", "ri", "wordpress")
        self.shape = shape
        self.name = name
        self.per_page = per_page
        self.rng = random.Random(seed)
        self.next_id = first_id
        self.site = Site()
        self.articles: list[FixtureArticle] = []
        now = datetime.now(UTC).replace(microsecond=0)
        for n in range(count):
            self._new(published=now - age - timedelta(hours=count - n))
        self.rebuild()

    # --- content -----------------------------------------------------------------------------

    def _new(
        self,
        *,
        published: datetime | None = None,
        paragraphs: list[str] | None = None,
        title: str | None = None,
    ) -> FixtureArticle:
        title = title or generate_title(self.rng)
        article = FixtureArticle(
            id=self.next_id,
            slug="-".join(title.lower().split())[:60],
            title=title,
            paragraphs=paragraphs or generate_paragraphs(self.rng, self.label),
            published=published or datetime.now(UTC).replace(microsecond=0),
        )
        self.next_id += 1
        self.articles.insert(0, article)
        return article

    def add_article(self, **kwargs: object) -> FixtureArticle:
        article = self._new(**kwargs)  # type: ignore[arg-type]
        self.rebuild()
        return article

    def edit_article(self, article: FixtureArticle, paragraphs: list[str]) -> None:
        article.paragraphs = paragraphs
        article.version = article.version + timedelta(hours=1)
        self.rebuild()

    @property
    def label(self) -> str:
        return {"regional": "kpujatim.go.id", "ri": "kpu.go.id", "wordpress": "kpu-lama"}[
            self.shape
        ]

    # --- URLs --------------------------------------------------------------------------------

    def serve(self, server: LoopbackServer) -> str:
        base_url = server.add_site(self.site)
        self.rebuild()  # the feed carries absolute links
        return base_url

    @property
    def listing_path(self) -> str:
        return {
            "regional": "/index.php/blog/category/104",
            "ri": "/berita/104/berita-terkini",
            "wordpress": "/feed/",
        }[self.shape]

    @property
    def source_url(self) -> str:
        return self.site.base_url + self.listing_path

    def path_of(self, article: FixtureArticle) -> str:
        if self.shape == "regional":
            return f"/index.php/blog/read/{article.id}_{article.slug}"
        if self.shape == "ri":
            return f"/berita/baca/{article.id}/{article.slug}"
        day = article.published
        return f"/{day.year}/{day.month:02d}/{day.day:02d}/{article.slug}/"

    def url_of(self, article: FixtureArticle) -> str:
        return self.site.base_url + self.path_of(article)

    def source_toml(self) -> str:
        kind = "feed" if self.shape == "wordpress" else "html"
        return f'[[sources]]\nname = "{self.name}"\nurl = "{self.source_url}"\nkind = "{kind}"\n'

    # --- pages -------------------------------------------------------------------------------

    def rebuild(self) -> None:
        routes: dict[str, Response] = {"/robots.txt": self._robots()}
        for article in self.articles:
            routes[self.path_of(article)] = Response(
                self._article_page(article).encode("utf-8"), last_modified=article.version
            )
        if self.shape == "wordpress":
            routes["/feed/"] = Response(
                self._feed().encode("utf-8"),
                content_type="application/rss+xml; charset=UTF-8",
                last_modified=max((a.version for a in self.articles), default=None),
            )
        else:
            pages = [
                self.articles[i : i + self.per_page]
                for i in range(0, len(self.articles), self.per_page)
            ] or [[]]
            for number, chunk in enumerate(pages, start=1):
                has_next = number < len(pages)
                body = self._listing_page(chunk, number, has_next, len(pages))
                routes[self._page_target(number)] = Response(body.encode("utf-8"))
        self.site.routes = routes

    def _robots(self) -> Response:
        return Response(
            b"User-agent: *\nDisallow: /admin/\n", content_type="text/plain", conditional=False
        )

    def _page_target(self, number: int) -> str:
        if number == 1:
            return self.listing_path
        if self.shape == "regional":
            return f"{self.listing_path}/{(number - 1) * self.per_page}"
        return f"{self.listing_path}?page={number}"

    def _frame(self, title: str, main: str, head: str = "") -> str:
        nav = "".join(
            f'<li><a href="{href}">{label}</a></li>'
            for href, label in [
                ("/", "Beranda"),
                ("/index.php/profil", "Profil"),
                (self.listing_path, "Berita Terkini"),
                ("/index.php/ppid", "PPID"),
                ("https://www.kpu.go.id", "KPU RI"),
            ]
        )
        popular = "".join(
            f'<li><a href="{self.path_of(a)}">{html.escape(a.title)}</a></li>'
            for a in self.articles[:3]
        )
        return (
            '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)} | {html.escape(self.name)}</title>{head}</head><body>"
            f'<header class="site-header"><div class="brand">{html.escape(self.name)}</div>'
            f'<nav class="navbar"><ul class="nav">{nav}</ul></nav>'
            '<div class="login-box">Account <span>Please wait, authorizing ...</span></div>'
            "</header>"
            f'<div class="container"><div class="row"><div class="col-md-8">{main}</div>'
            f'<aside class="col-md-4 sidebar"><h3>Berita Populer</h3><ul>{popular}</ul></aside>'
            "</div></div>"
            f"<footer><p>&copy; 2024 {html.escape(self.name)}. Jl. Tenggilis No. 1</p>"
            '<p><a href="/index.php/kontak">Kontak</a></p></footer></body></html>'
        )

    def _article_page(self, article: FixtureArticle) -> str:
        body = "".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
        iso = article.published.isoformat()
        head = f'<meta property="article:published_time" content="{iso}">'
        if self.shape == "wordpress":
            main = (
                f'<article class="post type-post"><header class="entry-header">'
                f'<h1 class="entry-title">{html.escape(article.title)}</h1>'
                f'<time class="entry-date published" datetime="{iso}">'
                f"{article.published.day} {MONTHS[article.published.month - 1][:3]}</time>"
                f'</header><div class="entry-content">{body}</div>'
                '<footer class="entry-footer">Posted in <a href="/category/berita/">Berita</a>'
                "</footer></article>"
            )
        else:
            main = (
                f'<div class="blog-post"><h1 class="post-title">{html.escape(article.title)}</h1>'
                f'<div class="post-meta"><span class="date">{indonesian_date(article.published)}'
                '</span> | <span class="author">Humas</span></div>'
                f'<div class="post-content">{body}</div>'
                '<div class="share">Bagikan: <a href="https://facebook.com/sharer">Facebook</a>'
                "</div></div>"
            )
        return self._frame(article.title, main, head)

    def _listing_page(
        self, chunk: list[FixtureArticle], number: int, has_next: bool, total: int
    ) -> str:
        items = []
        for article in chunk:
            href = self.path_of(article)
            teaser = html.escape(article.paragraphs[0][:140])
            items.append(
                f'<div class="post-item"><h2><a href="{href}">{html.escape(article.title)}</a></h2>'
                f'<span class="date">{indonesian_date(article.published)}</span>'
                f"<p>{teaser}…</p>"
                # the same article linked again with tracking parameters and a fragment
                f'<a class="more" href="{href}?utm_source=listing&amp;fbclid=x1#baca">'
                "Selengkapnya</a></div>"
            )
        pager = []
        for n in range(1, total + 1):
            pager.append(f'<li><a href="{self._page_target(n)}">{n}</a></li>')
        head = ""
        if has_next:
            nxt = self._page_target(number + 1)
            if self.shape == "ri":
                pager.append(f'<li><a rel="next" href="{nxt}">Berikutnya</a></li>')
                head = f'<link rel="next" href="{nxt}">'
            else:
                pager.append(f'<li><a href="{nxt}">&rsaquo;</a></li>')
        main = (
            f'<h1 class="page-title">Berita Terkini</h1>{"".join(items)}'
            f'<ul class="pagination">{"".join(pager)}</ul>'
        )
        return self._frame("Berita Terkini", main, head)

    def _feed(self) -> str:
        items = []
        for article in self.articles[:10]:
            link = self.site.base_url + self.path_of(article)
            content = "".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
            items.append(
                f"<item><title>{html.escape(article.title)}</title><link>{link}</link>"
                f"<pubDate>{format_datetime(article.published, usegmt=True)}</pubDate>"
                f'<guid isPermaLink="false">{self.site.base_url}/?p={article.id}</guid>'
                f"<description>{html.escape(article.paragraphs[0][:120])}</description>"
                f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>{html.escape(self.name)}</title><link>{self.site.base_url}/</link>"
            f"<description>Arsip berita</description>{''.join(items)}</channel></rss>"
        )
