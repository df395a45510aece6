"""`kpu-digest preview` shows what the bot sends: the same layout, counts and ranking."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from digests.cli.preview import print_division_digests, telegram_html_to_text

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


def stored(n: int, region: str, divisions: list[str]) -> SimpleNamespace:
    return SimpleNamespace(
        id=n,
        url=f"https://kpu.example/berita/{n}",
        source_name=f"KPU {region}",
        story_id=None,
        title=f"Rapat pleno ke-{n} & rekapitulasi",
        published_at=NOW - timedelta(hours=n),
        lead=[f"Lead berita {n}."],
        quotes=[{"text": f"Kami siap {n}", "speaker": "Ketua KPU"}],
        divisions=divisions,
        division_scores={},
        region=region,
        first_seen_at=NOW - timedelta(hours=n),
    )


def test_preview_prints_the_bots_digest_layout_for_each_division() -> None:
    articles = [stored(n, "jawa-barat", ["teknis"]) for n in range(1, 6)]
    articles.append(stored(9, "nasional", ["teknis"]))  # the oldest, but KPU RI: first
    out = io.StringIO()
    print_division_digests(articles, ["teknis", "hukum"], JAKARTA, out, now=NOW)
    text = out.getvalue()
    teknis = text.split("[teknis]")[1].split("\n=== ")[0]
    assert "— 6 artikel" in teknis
    assert "📂 Teknis Penyelenggaraan: 6" in teknis
    assert teknis.index("ke-9") < teknis.index("ke-1 ")
    # three in full with lead and quote, the rest as linked one-line headlines
    assert teknis.count("— Ketua KPU") == 3
    assert "▪️ Rapat pleno ke-5 & rekapitulasi (https://kpu.example/berita/5) · KPU jawa-barat" in (
        teknis
    )
    assert "(tidak ada berita baru untuk divisi ini)" in text.split("[hukum]")[1]


def test_html_becomes_terminal_text_with_link_addresses() -> None:
    assert telegram_html_to_text('<b><a href="https://a.b/?x=1&amp;y=2">A &lt;B&gt;</a></b>') == (
        "A <B> (https://a.b/?x=1&y=2)"
    )
