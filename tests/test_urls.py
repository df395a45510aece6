"""Canonical URLs, the fetch guard and the capped reader (no real DNS: a resolver hook and literal
IPs); refusals are asserted in the words a person reads (`digests.texts`)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digests import texts
from digests.collect.fetch import Fetcher, FetchError, FetchLimits, FetchReason, FetchResult
from digests.collect.guard import Refusal, UrlRefused, check_url, pinned_request
from digests.collect.urls import canonical_url, host_allowed, same_site
from digests.sample.loopback import LoopbackServer, Response, Site

ALLOWED = ["kpu.go.id", "*.kpu.go.id"]


@pytest.mark.parametrize(
    ("linked", "canonical"),
    [
        (
            "HTTPS://Jatim.KPU.go.id:443/index.php/blog/read/12_rapat/?utm_source=fb&fbclid=abc#top",
            "https://jatim.kpu.go.id/index.php/blog/read/12_rapat",
        ),
        ("http://kpu.go.id:80/berita/baca/1/x?gclid=1", "http://kpu.go.id/berita/baca/1/x"),
        ("https://kpu.go.id:8443/a/", "https://kpu.go.id:8443/a"),
        ("https://kpu.go.id", "https://kpu.go.id/"),
        ("https://kpu.go.id/?", "https://kpu.go.id/"),
        ("https://kpu.go.id/a//b/../c", "https://kpu.go.id/a/c"),
        ("https://kpu.go.id/list?page=2&cat=104", "https://kpu.go.id/list?cat=104&page=2"),
        ("https://kpu.go.id/berita%2fbaca/%7euser", "https://kpu.go.id/berita/baca/~user"),
        ("https://kpu.go.id/cari?q=pemilu+2024", "https://kpu.go.id/cari?q=pemilu+2024"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("HTTP://[2001:DB8::1]:80/berita/?utm_medium=x", "http://[2001:db8::1]/berita"),
    ],
)
def test_one_article_linked_many_ways_has_one_canonical_url(linked: str, canonical: str) -> None:
    assert canonical_url(linked) == canonical


@given(
    st.builds(
        lambda host, path, query: f"https://{host}/{path}?{query}",
        st.sampled_from(["kpu.go.id", "JATIM.kpu.go.id", "www.kpu.go.id:443"]),
        st.text(alphabet="abc/._-%20", max_size=20),
        st.text(alphabet="ab=&utm_x", max_size=15),
    )
)
def test_canonical_url_is_stable_when_applied_twice(url: str) -> None:
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_www_and_bare_host_are_the_same_site_but_ports_are_not() -> None:
    assert same_site("https://www.kpu.go.id/a", "https://kpu.go.id/b")
    assert not same_site("https://jatim.kpu.go.id/a", "https://kpu.go.id/b")
    assert not same_site("http://127.0.0.1:8001/a", "http://127.0.0.1:8002/a")


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("kpu.go.id", True),
        ("jatim.kpu.go.id", True),
        ("JATIM.KPU.GO.ID.", True),
        ("kpu.go.id.evil.example", False),
        ("evilkpu.go.id", False),
        ("kpu.go.id-evil.example", False),
    ],
)
def test_allowed_hosts_are_globs_on_the_whole_name(host: str, allowed: bool) -> None:
    assert host_allowed(host, ALLOWED) is allowed


def resolver_for(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise UrlRefused(Refusal.HOST_UNKNOWN, host=host)
        return table[host]

    return resolve


async def check(url: str, addresses: list[str] | None = None, trusted: set[str] | None = None):  # type: ignore[no-untyped-def]
    table = {"jatim.kpu.go.id": addresses or ["103.9.227.10"]}
    await check_url(
        url, trusted_origins=trusted or set(), allowed_hosts=ALLOWED, resolver=resolver_for(table)
    )


async def refusal(url: str, addresses: list[str] | None = None) -> str:
    """What a person reads when `url` is refused ("" when it may be fetched)."""
    try:
        await check(url, addresses)
    except UrlRefused as exc:
        return texts.url_refusal(exc)
    return ""


async def test_allowed_host_on_a_public_address_may_be_fetched() -> None:
    await check("https://jatim.kpu.go.id/index.php/blog/read/1_a")
    await check("http://jatim.kpu.go.id/x", ["2001:4860:4860::8888"])


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "127.0.0.1",
        "0.0.0.0",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "ff02::1",
    ],
)
async def test_allowed_host_resolving_to_an_internal_address_is_refused(address: str) -> None:
    assert "internal" in await refusal("https://jatim.kpu.go.id/a", [address])


async def test_one_internal_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(UrlRefused):
        await check("https://jatim.kpu.go.id/a", ["103.9.227.10", "10.0.0.1"])


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.0.0.1/",
        "http://127.1/",
        "http://0x7f000001/",
    ],
)
async def test_numeric_ip_tricks_are_refused(url: str) -> None:
    assert re.search(r"tidak (lazim|valid)", await refusal(url))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://jatim.kpu.go.id/a", "http"),
        ("file:///etc/passwd", "http"),
        ("javascript:alert(1)", "http"),
        ("https://evil.example/a", "tidak termasuk"),
        ("http://127.0.0.1/admin", "tidak termasuk"),
        ("http://[::1]/", "tidak termasuk"),
        ("https://user:pw@jatim.kpu.go.id/a", "kata sandi"),
        ("https://jatim.kpu.go.id:8080/a", "port"),
        ("https://unknown.kpu.go.id/a", "tidak dapat ditemukan"),
        ("not a url", "http"),
    ],
)
async def test_other_urls_are_refused_with_a_reason(url: str, reason: str) -> None:
    assert reason in await refusal(url)


async def test_configured_source_origin_is_trusted_even_on_a_private_address() -> None:
    trusted = {"http://10.0.0.7:8080/index.php/blog/category/104"}
    await check("http://10.0.0.7:8080/index.php/blog/read/3_x", trusted=trusted)
    for other in ("http://10.0.0.7:8081/a", "https://10.0.0.7:8080/a", "http://10.0.0.8:8080/"):
        with pytest.raises(UrlRefused):
            await check(other, trusted=trusted)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as loopback:
        yield loopback


def redirect(location: str) -> Response:
    return Response(b"", status=302, headers={"Location": location}, conditional=False)


async def test_redirects_are_checked_hop_by_hop(server: LoopbackServer) -> None:
    other = Site({"/secret": Response(b"<html>internal</html>")})
    other_url = server.add_site(other)
    site = Site(
        {
            "/ok": Response(b"<html>berita</html>"),
            "/hop": redirect("/ok"),
            "/metadata": redirect("http://169.254.169.254/latest/meta-data/"),
            "/elsewhere": redirect(f"{other_url}/secret"),
            "/loop": redirect("/loop"),
        }
    )
    base = server.add_site(site)
    trusted = {base + "/index.php/blog/category/104"}
    async with httpx.AsyncClient(trust_env=False) as client:

        async def get(path: str, max_bytes: int = 5_000_000) -> FetchResult:
            fetcher = Fetcher(
                client,
                contact="uji",
                limits=FetchLimits(max_bytes=max_bytes),
                trusted_origins=trusted,
                allowed_hosts=ALLOWED,
                any_port=False,
            )
            return await fetcher.fetch(base + path, check_robots=False)

        async def problem(path: str, max_bytes: int = 5_000_000) -> tuple[FetchReason, str]:
            with pytest.raises(FetchError) as failed:
                await get(path, max_bytes)
            return failed.value.reason, texts.fetch_problem(failed.value)

        page = await get("/hop")
        assert page.body == b"<html>berita</html>" and page.url == base + "/ok"
        assert (await problem("/metadata"))[0] is FetchReason.REFUSED
        # another origin on loopback: not trusted
        assert (await problem("/elsewhere"))[0] is FetchReason.REFUSED
        reason, words = await problem("/loop")
        assert reason is FetchReason.TOO_MANY_REDIRECTS and "pengalihan" in words
        reason, words = await problem("/ok", max_bytes=5)
        assert reason is FetchReason.TOO_LARGE and "terlalu besar" in words
    assert other.requests == 0


def test_an_ipv6_article_url_stays_fetchable_after_canonicalising() -> None:
    url = canonical_url("http://[::1]:8080/index.php/blog/read/1_a#top")
    assert httpx.URL(url).host == "::1" and httpx.URL(url).port == 8080


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


PAGE = b"<html><body>" + b"<p>berita pemilu</p>" * 5_000 + b"</body></html>"


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (_gzip(PAGE), "gzip"),
        (_gzip(_gzip(PAGE)), "gzip, gzip"),
        (_gzip(PAGE[:40_000]) + _gzip(PAGE[40_000:]), "gzip"),  # two gzip members
        (zlib.compress(PAGE), "deflate"),
        (_raw_deflate(PAGE), "deflate"),  # "deflate" as many servers send it, without header
        (_gzip(zlib.compress(PAGE)), "deflate, gzip"),
        (PAGE, "identity"),
        (PAGE, "utf-8"),  # a misconfigured token is read as is, as browsers and httpx do
    ],
)
async def test_every_stacked_encoding_decodes_to_the_page(
    server: LoopbackServer, body: bytes, encoding: str
) -> None:
    base = server.add_site(Site({"/p": Response(body, headers={"Content-Encoding": encoding})}))
    async with httpx.AsyncClient(trust_env=False) as client:
        fetcher = Fetcher(client, contact="uji", trusted_origins={base})
        page = await fetcher.fetch(base + "/p", check_robots=False)
    assert page.body == PAGE


@pytest.mark.parametrize(
    ("body", "encoding", "reason"),
    [
        (_gzip(_gzip(PAGE)), "gzip, gzip", "setelah dibuka"),  # over a 50 KB cap once decoded
        (_gzip(PAGE), "br", "br tidak didukung"),
        (_gzip(PAGE), "gzip, gzip, gzip, gzip", "terlalu banyak lapisan"),
        (b"\x1f\x8b\x08\x00garbage" * 10, "gzip", "rusak"),
    ],
)
async def test_bodies_past_the_cap_or_undecodable_are_refused_with_a_reason(
    server: LoopbackServer, body: bytes, encoding: str, reason: str
) -> None:
    base = server.add_site(Site({"/p": Response(body, headers={"Content-Encoding": encoding})}))
    async with httpx.AsyncClient(trust_env=False) as client:
        limits = FetchLimits(max_bytes=50_000)
        fetcher = Fetcher(client, contact="uji", limits=limits, trusted_origins={base})
        with pytest.raises(FetchError) as failed:
            await fetcher.fetch(base + "/p", check_robots=False)
    assert failed.value.reason is FetchReason.TOO_LARGE
    assert reason in texts.fetch_problem(failed.value)


async def test_an_untrusted_url_is_requested_from_the_address_that_was_checked() -> None:
    """DNS is asked once; the connection goes to that answer, the name stays in Host and SNI,
    so a second, different answer (DNS rebinding) is never used."""
    answers = [["203.0.114.9"], ["127.0.0.1"]]  # a public answer, then a rebinding one

    async def rebinding(host: str, port: int) -> list[str]:
        return answers.pop(0)

    target = await check_url(
        "https://berita.kpu.go.id/a?x=1",
        trusted_origins=set(),
        allowed_hosts=ALLOWED,
        resolver=rebinding,
    )
    async with httpx.AsyncClient(trust_env=False) as client:
        request = pinned_request(client, target, {"User-Agent": "uji"})
    assert request.url.host == "203.0.114.9" and request.url.path == "/a"
    assert request.headers["host"] == "berita.kpu.go.id"
    assert request.extensions["sni_hostname"] == "berita.kpu.go.id"
    assert len(answers) == 1  # the rebinding answer was never asked for
