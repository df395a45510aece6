"""Near-duplicate detection: republished press releases match, different articles do not."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from digests.collect import dedup
from tests.fixture_site import generate_paragraphs


def text(seed: int) -> str:
    return "\n\n".join(generate_paragraphs(random.Random(seed), "kpu.go.id", count=6))


def test_republished_text_with_new_dateline_and_extra_sentence_is_near() -> None:
    original = text(1)
    republished = "Bandung, kpujabar.go.id – " + original.split(" – ", 1)[1]
    republished += "\n\nRilis ini diteruskan oleh Humas KPU Jawa Barat."
    a, b = dedup.simhash(original), dedup.simhash(republished)
    assert dedup.hamming(a, b) <= dedup.MAX_DISTANCE
    assert dedup.containment(dedup.shingles(original), dedup.shingles(republished)) > 0.9


def test_different_articles_are_far_apart() -> None:
    hashes = [dedup.simhash(text(seed)) for seed in range(40)]
    distances = [dedup.hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]]
    assert min(distances) > dedup.MAX_DISTANCE
    assert dedup.containment(dedup.shingles(text(1)), dedup.shingles(text(2))) < 0.1


def test_content_hash_ignores_case_and_spacing_only() -> None:
    assert dedup.content_hash("KPU  Jatim\n gelar rapat.") == dedup.content_hash(
        "kpu jatim gelar rapat"
    )
    assert dedup.content_hash("KPU Jatim gelar rapat") != dedup.content_hash(
        "KPU Jabar gelar rapat"
    )


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_simhash_survives_a_signed_bigint_column(value: int) -> None:
    signed = dedup.to_signed(value)
    assert -(2**63) <= signed < 2**63
    assert dedup.from_signed(signed) == value


def test_index_finds_every_hash_within_the_distance_and_nothing_further() -> None:
    rng = random.Random(5)
    index = dedup.SimhashIndex()
    base = rng.getrandbits(64)
    near = base ^ (1 << 3) ^ (1 << 17) ^ (1 << 40) ^ (1 << 63)  # 4 bits apart
    edge = base ^ sum(1 << bit for bit in (0, 9, 18, 27, 36, 45, 54))  # 7 bits, 7 bands hit
    far = base ^ ((1 << 20) - 1)  # 20 bits apart
    index.add(1, 10, dedup.to_signed(near))
    index.add(2, 20, edge)
    index.add(3, 30, far)
    for n in range(2000):
        index.add(100 + n, None, rng.getrandbits(64))
    found = index.candidates(base)
    assert [(c.article_id, c.story_id, c.distance) for c in found] == [(1, 10, 4), (2, 20, 7)]
