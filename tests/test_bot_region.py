"""End to end: a staff member chooses a region scope with /wilayah (stand-in Bot API, real HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digests.store import subscribers
from digests.store.models import Article
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.e2e_helpers import (
    STAFF_ID,
    BotHarness,
    forge_callback,
    labels,
    staff_bot,  # noqa: F401  (the `bot` fixture)
)

pytestmark = pytest.mark.db


async def _regions(bot: BotHarness) -> list[str]:
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert subscriber is not None
    return subscriber.regions


def _ticked(message: dict) -> list[str]:
    return [label.removeprefix("✅ ") for label in labels(message) if label.startswith("✅")]


async def test_picker_pages_and_toggles_provinces_in_place(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/wilayah")
    first = labels(reply)
    assert any("Aceh" in b for b in first) and not any("Jawa Timur" in b for b in first)
    assert "Hal. 1/4" in first and "Semua" in " ".join(first) and "Nasional saja" in first
    assert _ticked(bot.shown(STAFF_ID, reply.message_id)) == ["Semua"]  # existing default

    await bot.press(STAFF_ID, "▶")
    page = bot.shown(STAFF_ID, reply.message_id)
    assert "Hal. 2/4" in labels(page) and not any("Aceh" in b for b in labels(page))
    await bot.press(STAFF_ID, "Jawa Timur")
    page = bot.shown(STAFF_ID, reply.message_id)
    assert _ticked(page) == ["Jawa Timur"]  # "Semua" is off, on the same page still
    assert "Hal. 2/4" in labels(page) and "KPU RI + Jawa Timur" in page["text"]
    assert await _regions(bot) == ["nasional", "jawa-timur"]

    for _ in range(3):  # the last page, and ▶ there stays on it
        await bot.press(STAFF_ID, "▶")
    page = bot.shown(STAFF_ID, reply.message_id)
    assert "Hal. 4/4" in labels(page) and any("Papua Barat Daya" in b for b in labels(page))
    await bot.press(STAFF_ID, "Papua Barat Daya")
    assert await _regions(bot) == ["nasional", "jawa-timur", "papua-barat-daya"]
    await bot.press(STAFF_ID, "◀")
    await bot.press(STAFF_ID, "◀")
    await bot.press(STAFF_ID, "Jawa Timur")
    assert await _regions(bot) == ["nasional", "papua-barat-daya"]
    await bot.press(STAFF_ID, "Nasional saja")
    assert await _regions(bot) == ["nasional"]
    assert _ticked(bot.shown(STAFF_ID, reply.message_id)) == ["Nasional saja"]
    await bot.press(STAFF_ID, "Semua")
    assert await _regions(bot) == ["semua"]
    for unchanged in ("Semua", "Hal. 2/4"):  # nothing to redraw: a quiet answer, no error
        answer = await bot.press(STAFF_ID, unchanged)
        assert answer.text is None
    assert await _regions(bot) == ["semua"]

    await bot.press(STAFF_ID, "Jawa Timur")
    await bot.press(STAFF_ID, "Selesai")
    done = bot.shown(STAFF_ID, reply.message_id)
    assert "KPU RI + Jawa Timur" in done["text"] and not labels(done)
    assert len(bot.api.sent_to(STAFF_ID)) == 1  # everything happened by editing in place


async def test_forged_and_stale_region_buttons_get_a_polite_answer(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/wilayah")
    for forged in ("reg:t:atlantis:0", "reg:p:99", "reg:t:jawa-timur:-1", "reg:nas", "reg:"):
        answer = await forge_callback(bot, STAFF_ID, reply.message_id, forged)
        assert answer.text and "tidak berlaku" in answer.text
    assert await _regions(bot) == ["semua"]

    await bot.say(STAFF_ID, "/hapusdata")
    await bot.press(STAFF_ID, "Ya, hapus")
    answer = await bot.press(STAFF_ID, "Aceh", message_id=reply.message_id)
    assert answer.text and "tidak berlaku" in answer.text
    assert await subscribers.get(bot.db, STAFF_ID) is None  # the old button registered nobody


async def test_region_by_short_form_name_and_whole_choices(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/wilayah jatim")
    assert "KPU RI + Jawa Timur" in reply.plain_text
    assert await _regions(bot) == ["nasional", "jawa-timur"]
    reply = await bot.say(STAFF_ID, "/pengaturan")
    assert "Wilayah: KPU RI + Jawa Timur" in reply.plain_text

    reply = await bot.say(STAFF_ID, "/region jawa tengah, diy")
    assert await _regions(bot) == ["nasional", "jawa-tengah", "di-yogyakarta"]
    assert "Jawa Tengah" in reply.plain_text and "Yogyakarta" in reply.plain_text
    await bot.say(STAFF_ID, "/wilayah nasional")
    assert await _regions(bot) == ["nasional"]
    await bot.say(STAFF_ID, "/wilayah semua")
    assert await _regions(bot) == ["semua"]
    reply = await bot.say(STAFF_ID, "/pengaturan")
    assert "Wilayah: Semua" in reply.plain_text


async def test_unknown_region_explains_with_examples_and_changes_nothing(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/wilayah jatim")
    reply = await bot.say(STAFF_ID, "/wilayah jatim atlantis <b>")
    assert "atlantis" in reply.plain_text and "<b>" in reply.plain_text
    assert "/wilayah jatim" in reply.plain_text and "/wilayah semua" in reply.plain_text
    assert await _regions(bot) == ["nasional", "jawa-timur"]

    # What matched nothing is quoted as typed, a semicolon in it too (it also separates names).
    reply = await bot.say(STAFF_ID, "/wilayah diy &amp;x atlantis; jateng tlt,jabar")
    assert reply.plain_text.startswith("Wilayah tidak dikenal: &amp;x atlantis, tlt.\n")


async def test_start_points_to_the_scope_right_after_the_divisions(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/start")
    await bot.press(STAFF_ID, "Data & Informasi")
    await bot.press(STAFF_ID, "Lanjut")
    assert "Data & Informasi" in bot.shown(STAFF_ID, reply.message_id)["text"]
    step2 = bot.api.sent_to(STAFF_ID)[-1]
    assert "wilayah" in step2.plain_text and any("Aceh" in b for b in labels(step2))


async def test_help_and_menu_list_wilayah(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/bantuan")
    assert "/wilayah" in reply.plain_text
    assert "wilayah" in [c["command"] for c in bot.api.visible_commands(STAFF_ID)]


def _article(n: int, region: str | None, title: str, hours: int) -> Article:
    return Article(
        url=f"https://example.kpu.go.id/berita/{n}",
        source_name=f"KPU {region}",
        title=title,
        text=f"{title}. Rapat pleno rekapitulasi daftar pemilih.",
        lead=[f"{title}: rapat pleno rekapitulasi daftar pemilih."],
        divisions=["data"],
        region=region,
        content_hash=f"r{n}",
        published_at=datetime.now(UTC) - timedelta(hours=hours),
    )


async def test_a_reader_scoped_to_jawa_timur_gets_no_other_province(bot: BotHarness) -> None:
    async with bot.db.session() as session:
        session.add_all(
            [
                _article(1, "nasional", "KPU RI Tetapkan DPT Nasional", 1),
                _article(2, "jawa-timur", "KPU Kediri Plenokan DPT", 2),
                _article(3, "jawa-tengah", "KPU Semarang Plenokan DPT", 3),
                _article(4, "papua", "KPU Jayapura Plenokan DPT", 4),
                _article(5, None, "Berita Tanpa Wilayah Plenokan DPT", 5),
            ]
        )
        await session.commit()
    everyone = ("KPU RI Tetapkan", "Kediri", "Semarang", "Jayapura", "Tanpa Wilayah")

    reply = await bot.say(STAFF_ID, "/terbaru 10")
    assert all(title in reply.plain_text for title in everyone)  # semua: everything

    await bot.say(STAFF_ID, "/wilayah jatim")
    reply = await bot.say(STAFF_ID, "/terbaru 10")
    assert "KPU RI Tetapkan" in reply.plain_text and "Kediri" in reply.plain_text
    for other in ("Semarang", "Jayapura", "Tanpa Wilayah"):
        assert other not in reply.plain_text
    reply = await bot.say(STAFF_ID, "/cari plenokan")
    assert "Kediri" in reply.plain_text
    assert "Semarang" not in reply.plain_text and "Jayapura" not in reply.plain_text

    await bot.say(STAFF_ID, "/wilayah nasional")
    reply = await bot.say(STAFF_ID, "/terbaru 10")
    assert "KPU RI Tetapkan" in reply.plain_text and "Kediri" not in reply.plain_text
