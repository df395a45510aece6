"""Time article extraction on the bundled sample pages.

    .venv/bin/python bench/bench_extract.py [--rounds N]

Prints per-page median time of `extract_article` next to trafilatura alone (its main-text
extraction with the settings extract_article uses, without metadata: we find the title and date
ourselves), so the cost of our own clean-up, title and date work is visible.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from digests.extract import extract_article  # noqa: E402
from digests.sample_site import iter_sample_pages  # noqa: E402


def _time(call, rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    pages = list(iter_sample_pages())
    extract_article(pages[0].html)  # import and regex warm-up

    ours, alone = [], []
    print(f"{'page':<62} {'KB':>5} {'extract':>8} {'trafil.':>8}")
    for sample in pages:
        url = f"http://127.0.0.1{sample.path}"
        mine = statistics.median(
            _time(lambda s=sample, u=url: extract_article(s.html, u), args.rounds)
        )
        theirs = statistics.median(
            _time(
                lambda s=sample, u=url: trafilatura.extract(
                    s.html,
                    url=u,
                    favor_precision=True,
                    include_comments=False,
                    include_tables=False,
                    output_format="xml",
                ),
                args.rounds,
            )
        )
        ours.append(mine)
        alone.append(theirs)
        size = len(sample.html.encode()) / 1024
        print(f"{sample.path[:62]:<62} {size:5.1f} {mine:7.2f}ms {theirs:7.2f}ms")
    print(
        f"median over {len(pages)} pages: extract_article {statistics.median(ours):.2f} ms, "
        f"trafilatura alone {statistics.median(alone):.2f} ms; "
        f"slowest page {max(ours):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
