"""`kpu-digest summarize` as an operator runs it: a real process, many inputs, some bad."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digests.sample.loopback import LoopbackServer
from tests.fixture_site import NewsSite

SEEDS = Path(__file__).parent / "eval" / "seeds"  # verbatim copies of shared/seeds
SAMPLE_ARTICLE = (
    "Rapat Koordinasi Logistik\n\n"
    "Surabaya, kpujatim.go.id – KPU Provinsi Jawa Timur menggelar rapat koordinasi pengadaan "
    "logistik Pemilu bersama 38 KPU kabupaten/kota pada Senin (12/2). Rapat membahas distribusi "
    "surat suara dan kotak suara ke gudang-gudang di setiap kecamatan.\n\n"
    "“Distribusi harus selesai paling lambat H-7 agar tidak ada TPS yang kekurangan surat suara,” "
    "kata Ketua KPU Jatim Choirul Anam.\n"
)


def run_summarize(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digests.cli", "summarize", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def seed(name: str) -> Path:
    matches = sorted(SEEDS.glob(f"{name}*"))
    assert matches, f"seed {name} missing from {SEEDS}"
    return matches[0]


def test_json_output_has_the_contract_fields_for_each_input() -> None:
    result = run_summarize(
        str(seed("kpujatim-bimtek-banyuwangi")), str(seed("kpu-ri-konsolnas")), "--json"
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2
    contract = {"input", "title", "published", "lead", "summary", "quotes", "divisions", "region"}
    for obj in lines:
        assert contract <= set(obj)
        assert 1 <= len(obj["summary"]) <= 3 and obj["summary"][: len(obj["lead"])] == obj["lead"]
    banyuwangi, konsolnas = lines
    assert banyuwangi["lead"][0].startswith("Sesi terakhir dari Bimbingan Teknis")
    assert {q["speaker"] for q in banyuwangi["quotes"]} == {
        "Eko Sasmito",
        "Gogot Cahyo Baskoro",
        "Choirul Anam",
    }
    # a bimtek review of several divisions' work: tagged with (some of) them
    assert set(banyuwangi["divisions"]) <= {"data", "perencanaan", "sdm", "sosdiklih"}
    assert banyuwangi["region"] == "jawa-timur"  # a file's region comes from its text
    assert banyuwangi["published"].startswith("2016-10-20")
    assert konsolnas["lead"][0].startswith("Memulai aktifitas di hari ke-2")
    assert {q["speaker"] for q in konsolnas["quotes"]} == {"Arif Rahman Hakim", "Arif Budiman"}
    assert "sekretariat" in konsolnas["divisions"]


def test_dateline_and_junk_stay_out_of_the_summary() -> None:
    result = run_summarize(str(seed("kpujatim-bimtek-banyuwangi")), "--json")
    summary = json.loads(result.stdout)
    text = " ".join(summary["lead"] + summary["summary"] + [q["text"] for q in summary["quotes"]])
    for junk in (
        "kpujatim.go.id –",
        "Komentar via Facebook",
        "Tinggalkan Balasan",
        "32 − 23",
        "authorizing",
    ):
        assert junk not in text


def test_bad_inputs_get_one_line_each_and_the_rest_is_processed(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "photo.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    no_article = tmp_path / "menu.html"
    no_article.write_text(
        "<html><body><nav><a href='/'>Beranda</a> <a href='/profil'>Profil</a></nav>"
        "<footer>© KPU</footer></body></html>"
    )
    huge = tmp_path / "huge.html"
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    good = tmp_path / "good.txt"
    good.write_text(SAMPLE_ARTICLE)
    missing = tmp_path / "missing.html"

    inputs = [empty, binary, no_article, huge, missing, good]
    result = run_summarize(*map(str, inputs), "--json")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    error_lines = result.stderr.strip().splitlines()
    assert len(error_lines) == 5, result.stderr
    for path in (empty, binary, no_article, huge, missing):
        assert sum(line.startswith(f"{path}:") for line in error_lines) == 1
    assert "empty" in result.stderr
    assert "binary" in result.stderr
    assert "too large" in result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["input"] for o in outputs] == [str(good)]
    assert outputs[0]["quotes"][0]["speaker"] == "Choirul Anam"
    assert "perencanaan" in outputs[0]["divisions"]


def test_a_utf16_text_file_is_read_as_text_and_an_image_as_binary(tmp_path: Path) -> None:
    utf16 = tmp_path / "word-export.txt"
    utf16.write_bytes(SAMPLE_ARTICLE.encode("utf-16"))  # with its byte-order mark
    image = tmp_path / "poster.txt"
    image.write_bytes(b"GIF89a" + bytes(range(1, 256)) * 20)
    result = run_summarize(str(utf16), str(image), "--json")
    assert result.returncode == 1
    assert f"{image}: binary file (a GIF image)" in result.stderr
    (output,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert output["quotes"][0]["speaker"] == "Choirul Anam"


def test_a_url_is_fetched_as_the_bot_fetches_and_a_missing_page_says_so() -> None:
    with LoopbackServer() as server:
        site = NewsSite("regional", name="KPU Ringkas", count=1, seed=5)
        site.serve(server)
        url = site.url_of(site.articles[0])
        missing = url + "-hilang"
        result = run_summarize(url, missing, "--json")
    assert result.returncode == 1
    (output,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert output["input"] == url and output["title"] == site.articles[0].title
    assert f"{missing}: HTTP 404: halaman tidak ditemukan" in result.stderr


def test_invalid_utf8_is_replaced_with_a_warning_and_still_summarised(tmp_path: Path) -> None:
    broken = tmp_path / "latin1.txt"
    broken.write_bytes(SAMPLE_ARTICLE.encode("utf-8").replace(b"Senin", b"Sen\xffin"))
    result = run_summarize(str(broken), "--json")
    assert result.returncode == 0
    assert result.stderr.count("\n") == 1 and "invalid UTF-8" in result.stderr
    assert json.loads(result.stdout)["lead"]


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_html_files_go_through_extraction(tmp_path: Path, suffix: str) -> None:
    page = tmp_path / f"article{suffix}"
    body = "".join(f"<p>{p}</p>" for p in SAMPLE_ARTICLE.split("\n\n")[1:])
    page.write_text(
        "<html><head><title>Rapat Koordinasi Logistik – KPU Provinsi Jawa Timur</title></head>"
        "<body><nav><ul><li>Beranda</li><li>Profil</li></ul></nav><article><h1>Rapat Koordinasi "
        f"Logistik</h1>{body}<p>Komentar via Facebook</p></article></body></html>"
    )
    result = run_summarize(str(page), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["title"] == "Rapat Koordinasi Logistik"
    assert summary["lead"][0].startswith("KPU Provinsi Jawa Timur menggelar")
