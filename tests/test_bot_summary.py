"""End to end: /summary (/ringkas) fetches only what the trust rule allows, nothing else."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from digests.sample.loopback import LoopbackServer, Response, Site, sample_site
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.e2e_helpers import STAFF_ID, BotHarness, BotStarter, start_bot  # noqa: F401  (fixture)

pytestmark = pytest.mark.db

ARTICLE = (
    "/jatim/index.php/blog/read/"
    "7580_kpu-kabupaten-kota-se-jatim-diminta-cermat-rekrut-pantarlih-pilkada"
)
PASTED = "\n\n".join(
    [
        "KPU Jatim Gelar Rapat Koordinasi Pemutakhiran Data Pemilih",
        "Surabaya, jatim.kpu.go.id – KPU Provinsi Jawa Timur menggelar rapat koordinasi "
        "pemutakhiran data pemilih berkelanjutan bersama KPU kabupaten/kota se-Jawa Timur, "
        "Senin (3/3/2025).",
        "Ketua KPU Jatim mengatakan data pemilih harus mutakhir setiap bulan. “Data pemilih "
        "yang akurat adalah kunci pemilu yang berintegritas,” kata Ketua KPU Jatim.",
        "Rapat juga membahas tindak lanjut tanggapan masyarakat atas daftar pemilih.",
    ]
)


@dataclass
class Sites:
    trusted: Site  # a configured source: its origin is trusted
    trusted_url: str
    internal: Site  # another loopback service that must never be reached
    internal_url: str
    down_url: str  # a configured source whose server is not running


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sites() -> Iterator[Sites]:
    server = LoopbackServer().start()
    trusted = sample_site()
    internal = Site({"/secret": Response(b"<p>rahasia internal</p>")})
    trusted_url = server.add_site(trusted)
    internal_url = server.add_site(internal)
    trusted.set(
        "/jatim/redirect", Response(status=302, headers={"Location": f"{internal_url}/secret"})
    )
    trusted.set("/jatim/rusak", Response(b"<h1>Internal Server Error</h1>", status=500))
    trusted.set("/jatim/surat.pdf", Response(b"%PDF-1.7 ...", content_type="application/pdf"))
    down_url = f"http://127.0.0.1:{_closed_port()}"
    try:
        yield Sites(trusted, trusted_url, internal, internal_url, down_url)
    finally:
        server.stop()


@pytest.fixture
async def bot(
    start_bot: BotStarter,  # noqa: F811
    sites: Sites,
) -> AsyncIterator[BotHarness]:
    sources = [
        ("KPU Provinsi Jawa Timur", f"{sites.trusted_url}/jatim/index.php/blog/category/104"),
        ("KPU Sedang Mati", f"{sites.down_url}/index.php/blog/category/1"),
    ]
    hosts = ["kpu.go.id", "*.kpu.go.id", "localhost"]
    async with start_bot(sources, allowed_summary_hosts=hosts) as harness:
        yield harness


async def test_summary_of_a_source_page_gives_title_lead_and_link(
    bot: BotHarness, sites: Sites
) -> None:
    url = sites.trusted_url + ARTICLE
    reply = await bot.say(STAFF_ID, f"/ringkas {url}", timeout=10)
    assert "Pantarlih" in reply.plain_text
    assert f'href="{url}"' in reply.text
    assert "Divisi" in reply.plain_text
    assert len(reply.plain_text) < 2000  # a summary, not the page
    # The one User-Agent of every request we make, with the operator's contact.
    assert {agent.split("/")[0] for agent in sites.trusted.user_agents} == {"KPUDigestBot"}


async def test_summary_as_reply_to_a_message_holding_a_link(bot: BotHarness, sites: Sites) -> None:
    url = sites.trusted_url + ARTICLE
    shared = await bot.share(STAFF_ID, f"Coba baca ini {url}")
    reply = await bot.say(STAFF_ID, "/summary", reply_to=shared, timeout=10)
    assert "Pantarlih" in reply.plain_text


async def test_summary_of_pasted_text(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/ringkas " + PASTED)
    assert "KPU Jatim Gelar Rapat Koordinasi" in reply.plain_text
    assert "data pemilih" in reply.plain_text.lower()
    assert "🏷 Divisi: Data & Informasi" in reply.plain_text  # tagged like a crawled article

    shared = await bot.share(STAFF_ID, PASTED)
    reply = await bot.say(STAFF_ID, "/ringkas", reply_to=shared)
    assert "KPU Jatim Gelar Rapat Koordinasi" in reply.plain_text


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("{internal}/secret", "port"),  # loopback, not a configured source
        ("http://127.0.0.1/secret", "tidak termasuk"),
        ("http://169.254.169.254/latest/meta-data/", "tidak termasuk"),
        ("file:///etc/passwd", "http"),
        ("https://example.com/berita", "tidak termasuk"),
        ("http://localhost/admin", "internal"),  # an allowed name that resolves inside
        ("{trusted}/jatim/redirect", "port"),  # a trusted page redirecting inside
        ("gopher://kpu.go.id/1", "http"),
    ],
)
async def test_summary_refuses_urls_outside_the_trust_rule_and_fetches_nothing(
    bot: BotHarness, sites: Sites, target: str, reason: str
) -> None:
    url = target.format(internal=sites.internal_url, trusted=sites.trusted_url)
    reply = await bot.say(STAFF_ID, f"/ringkas {url}")
    assert "tidak bisa saya ringkas" in reply.plain_text
    assert reason in reply.plain_text
    assert sites.internal.requests == 0


async def test_summary_without_anything_explains_usage(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/ringkas")
    assert "/ringkas URL" in reply.plain_text


async def test_summary_of_a_missing_page_says_the_page_was_not_found(
    bot: BotHarness, sites: Sites
) -> None:
    reply = await bot.say(STAFF_ID, f"/ringkas {sites.trusted_url}/jatim/tidak-ada")
    assert "halaman tidak ditemukan" in reply.plain_text
    assert "coba lagi nanti" not in reply.plain_text.lower()  # waiting will not bring it back


async def test_summary_of_a_site_that_is_down_says_the_site_cannot_be_reached(
    bot: BotHarness, sites: Sites
) -> None:
    reply = await bot.say(STAFF_ID, f"/ringkas {sites.down_url}/index.php/blog/read/5_rapat")
    assert "situs sedang tidak bisa dihubungi" in reply.plain_text
    assert "tautan itu tidak bisa saya ringkas" not in reply.plain_text  # the link is fine


async def test_summary_of_a_failing_server_says_the_site_has_trouble(
    bot: BotHarness, sites: Sites
) -> None:
    reply = await bot.say(STAFF_ID, f"/ringkas {sites.trusted_url}/jatim/rusak")
    assert "situs itu sedang bermasalah" in reply.plain_text and "500" in reply.plain_text


async def test_summary_of_a_pdf_link_says_it_is_not_a_news_page(
    bot: BotHarness, sites: Sites
) -> None:
    reply = await bot.say(STAFF_ID, f"/ringkas {sites.trusted_url}/jatim/surat.pdf")
    assert "bukan halaman berita" in reply.plain_text
