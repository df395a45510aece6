"""Learn the division weights from the tuning half and write them into digests/data/divisions.toml.

    .venv/bin/python bench/fit_divisions.py            # fit, print the CV figures, write the file
    .venv/bin/python bench/fit_divisions.py --dry-run  # fit and print, write nothing
    .venv/bin/python bench/fit_divisions.py --suggest  # words that set each division apart

Only `bench.evalset.load("tune")` is read: the held-back half is never seen here.

The model is the run-time scorer itself (digests/summary/classify.py), so what is learned is exactly
what is applied: a division's score is the sum of weight × counted hits of its keywords (title
hits × title_multiplier, lead-paragraph hits × lead_multiplier, capped), plus `explicit_weight`
per "Divisi X" naming it, plus `old_name_weight` when an older combined name points to it.

A few dozen labelled articles cannot set hundreds of weights from nothing, so the fit starts from
the hand-set weights (bench/division_priors.toml): keyword k of division d gets
`alpha_d × prior(d, k) + gamma × beta(d, k)`, where alpha_d scales a division's whole prior (it
shrinks a division that collects false positives) and beta is a per-keyword correction whose
column is multiplied by gamma < 1, which under L2 penalises it more than the scales. One pooled
L2 logistic regression (scikit-learn) over (article, division) pairs learns alpha, beta and the
two mention weights with one shared intercept, so one threshold serves all divisions. Weights are
kept non-negative: a hand-set keyword (one with a prior) is held at `--floor` (default half) of its
scaled prior rather than dropped, because a hundred articles cannot show that "keuangan" says
nothing about the budget division; a candidate without a prior whose weight comes out negative
is dropped and the model refitted (it is listed as `unused` and tried again next time). C,
gamma, the cut (tau),
`relative_cutoff` and `max_divisions` are chosen by repeated cross-validation on the tuning half
(folds by article). Weights are then scaled so that the median keyword weighs `MEDIAN_POINTS`, and
rounded for the operator.
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import sys
import tomllib
import warnings
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

from bench.eval_divisions import LabelledText, load_kpu_half, tally  # noqa: E402
from digests.summary.classify import (  # noqa: E402
    Observations,
    counted_hits,
    observe,
    old_name_parts,
)
from digests.summary.divisions import Division, DivisionCatalog, load_divisions  # noqa: E402

DIVISIONS_TOML = ROOT / "digests" / "data" / "divisions.toml"
PRIORS_TOML = ROOT / "bench" / "division_priors.toml"
MEDIAN_POINTS = 2.0  # fitted weights are scaled so that the median keyword weighs this
MIN_WEIGHT = 0.05  # smaller fitted weights are rounded away (listed as unused)
# A hand-set keyword keeps at least this share of its scaled prior (0: dropped when negative).
FLOOR = 0.5
MENTION, OLD_NAME = "<mention>", "<old-name>"

# Candidate keywords beyond the catalog's own: meaningful Indonesian terms of each division's
# work, picked by hand from `--suggest` on the tuning half and from the divisions' mandates.
# The fit decides their weights; a candidate it finds useless is listed as `unused`.
CANDIDATES: dict[str, list[str]] = {
    "teknis": [
        "LHKPN",
        "APK",
        "kampanye damai",
        "PSU",
        "pendaftaran partai politik",
        "verifikasi partai politik",
        "PAW",
        "pergantian antarwaktu",
        "daerah pemilihan",
        "dapil",
        "alokasi kursi",
        "calon terpilih",
        "hari pemungutan suara",
        "masa tenang",
        "alat peraga",
        "pemasangan",
        "rekapitulasi",
        "pencalonan",
        "pemungutan",
        "penghitungan",
        "rekapitulasi suara",
        "rapat pleno terbuka",
        "nomor urut",
        "debat publik",
        "debat",
        "surat suara",
        "pasangan calon",
        "bakal pasangan calon",
        "pendaftaran calon",
        "syarat calon",
        "tahapan pencalonan",
        "KPPS",
        "TPS",
    ],
    "perencanaan": [
        "RAB",
        "RKB",
        "IKPA",
        "DIPA",
        "rekonsiliasi",
        "SP2HL",
        "pemusnahan",
        "e-katalog",
        "pengelolaan keuangan",
        "tata kelola logistik",
        "pendistribusian",
        "pemeriksaan kepatuhan",
        "rencana strategis",
        "indikator kinerja utama",
        "distribusi",
        "pendistribusian",
        "capaian kinerja",
        "pagu",
        "pengelolaan logistik",
        "realisasi",
        "hibah",
        "dana hibah",
        "BPK",
        "entry meeting",
        "belanja",
        "anggaran",
        "DIPA",
        "revisi anggaran",
        "realisasi anggaran",
        "rencana kerja",
        "RKA",
        "pengadaan logistik",
        "kebutuhan logistik",
        "sortir",
        "pelipatan",
        "pelipatan surat suara",
        "penyortiran",
        "barang milik negara",
        "inventarisasi",
        "aset",
    ],
    "data": [
        "PDPB",
        "DP4",
        "DPHP",
        "DAK2",
        "pindah memilih",
        "DPK",
        "sistem informasi",
        "pemilih berkelanjutan",
        "petugas pemutakhiran",
        "terdaftar",
        "sinkronisasi",
        "disdukcapil",
        "penyusunan daftar pemilih",
        "pemilih",
        "daftar pemilih tetap",
        "rekapitulasi daftar pemilih",
        "pemutakhiran",
        "data pemilih berkelanjutan",
        "pemilih potensial",
        "pemilih ganda",
        "tidak memenuhi syarat",
        "TMS",
        "coklit",
        "pelayanan informasi",
        "informasi publik",
        "uji konsekuensi",
        "monitoring dan evaluasi keterbukaan",
        "JDIH",
    ],
    "sosdiklih": [
        "OSIS",
        "pesantren",
        "santri",
        "maskot",
        "desa peduli pemilu",
        "DP3",
        "pendidikan politik",
        "pendidikan demokrasi",
        "KPU mengajar",
        "media gathering",
        "peluncuran",
        "lomba",
        "mural",
        "sosialisasi tahapan",
        "pemilihan ketua OSIS",
        "siswa",
        "pemilih cerdas",
        "generasi muda",
        "materi",
        "sosialisasi",
        "edukasi",
        "literasi",
        "pendidikan politik",
        "pendidikan demokrasi",
        "pemilih pemula",
        "pemilih muda",
        "pelajar",
        "mahasiswa",
        "kampus",
        "sekolah",
        "narasumber",
        "talkshow",
        "siaran",
        "radio",
        "podcast",
        "desa peduli pemilu",
        "komunitas",
        "partisipasi",
        "RPP",
        "rumah pintar pemilu",
        "duta demokrasi",
        "kunjungan",
    ],
    "sdm": [
        "CPNS",
        "PPPK",
        "jabatan fungsional",
        "uji kompetensi",
        "ujian dinas",
        "penata kelola pemilu",
        "e-kinerja",
        "profesionalitas",
        "sumber daya manusia",
        "persyaratan",
        "badan adhoc",
        "seleksi",
        "rekrutmen",
        "pelantikan",
        "PPK",
        "PPS",
        "pantarlih",
        "bimbingan teknis",
        "pelatihan",
        "peningkatan kapasitas",
        "kapasitas",
        "evaluasi kinerja",
        "organisasi",
        "tata kerja",
        "PAW",
        "pemberhentian",
        "pembentukan",
    ],
    "hukum": [
        "gratifikasi",
        "pengendalian gratifikasi",
        "antikorupsi",
        "benturan kepentingan",
        "pelanggaran administrasi",
        "KPK",
        "PHPU",
        "dugaan pelanggaran",
        "jaringan dokumentasi dan informasi hukum",
        "etika",
        "keputusan KPU",
        "kekerasan seksual",
        "majelis",
        "panel",
        "penyusunan peraturan",
        "hukum",
        "sengketa",
        "gugatan",
        "DKPP",
        "PTUN",
        "putusan",
        "sidang",
        "pengadilan",
        "mahkamah konstitusi",
        "pengawasan",
        "SPIP",
        "pengendalian internal",
        "audit",
        "peraturan",
        "regulasi",
        "produk hukum",
        "surat keputusan",
        "keputusan KPU",
        "kode etik",
        "integritas",
        "netralitas",
    ],
    "sekretariat": [
        "perjanjian kinerja",
        "retensi arsip",
        "LKjIP",
        "akuntabilitas kinerja",
        "apel pagi",
        "upacara bendera",
        "keprotokolan",
        "naskah dinas",
        "pengelolaan arsip",
        "ANRI",
        "WBK",
        "WBBM",
        "standar pelayanan",
        "proyek perubahan",
        "pelayanan publik",
        "manajemen",
        "birokrasi",
        "pegawai KPU",
        "sekretaris",
        "sekretariat",
        "kasubbag",
        "kepala subbagian",
        "subbagian",
        "pegawai",
        "ASN",
        "PNS",
        "PPPK",
        "apel",
        "upacara",
        "rapat evaluasi",
        "kinerja",
        "kepegawaian",
        "cuti",
        "absensi",
        "presensi",
        "disiplin",
        "arsip",
        "kearsipan",
        "tata naskah",
        "persuratan",
        "pembinaan",
        "monitoring",
        "zona integritas",
        "reformasi birokrasi",
        "SAKIP",
        "IKPA",
        "ruang kerja",
        "rumah tangga",
    ],
}


@dataclass(frozen=True)
class Design:
    """The pooled design: one row per (article, division), one column per (division, term).

    `x` holds counted hits (as the run-time scorer counts them), the last two columns the
    "Divisi X" mentions and the older combined names pointing to the row's division.
    """

    columns: list[tuple[str, str]]  # (slug, term), then ("*", MENTION), ("*", OLD_NAME)
    rows: list[tuple[int, str]]  # (article index, slug)
    x: np.ndarray
    y: np.ndarray
    prior: np.ndarray  # prior weight of each column (0 for candidates and the mentions)
    slugs: list[str]


@dataclass(frozen=True)
class Model:
    weights: np.ndarray  # one per column of the design, in run-time points before scaling
    intercept: float


@dataclass(frozen=True)
class Decision:
    # The cut in raw score is tau × (−intercept): tau = 1 is probability ½, smaller tags more.
    tau: float
    relative_cutoff: float
    max_divisions: int


def universe(catalog: DivisionCatalog) -> dict[str, list[str]]:
    """Every term each division may weigh: its keywords, its unused list, the candidates."""
    terms: dict[str, list[str]] = {}
    for division in catalog:
        if division.slug == catalog.settings.fallback:
            continue
        seen: dict[str, str] = {}
        for term in (*division.keywords, *division.unused, *CANDIDATES.get(division.slug, [])):
            term = " ".join(term.split())
            seen.setdefault(term.casefold(), term)
        terms[division.slug] = list(seen.values())
    return terms


def probe_catalog(catalog: DivisionCatalog, terms: dict[str, list[str]]) -> DivisionCatalog:
    """The catalog with every candidate term at weight 1, to observe hits once."""
    divisions = [
        replace(d, keywords=MappingProxyType(dict.fromkeys(terms.get(d.slug, []), 1.0)), unused=())
        for d in catalog
    ]
    return DivisionCatalog(divisions, catalog.settings)


def observe_all(items: list[LabelledText], probe: DivisionCatalog) -> list[Observations]:
    return [observe(item.title, item.text, probe) for item in items]


def load_priors(path: Path = PRIORS_TOML) -> dict[tuple[str, str], float]:
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {(slug, k.casefold()): float(w) for slug, kws in data.items() for k, w in kws.items()}


def design(
    items: list[LabelledText],
    seen: list[Observations],
    terms: dict[str, list[str]],
    catalog: DivisionCatalog,
    weights: dict[tuple[str, str], float],
    priors: dict[tuple[str, str], float],
) -> Design:
    """Features exactly as the classifier counts them; `weights` decide old-name parts."""
    slugs = list(terms)
    columns = [(slug, term) for slug in slugs for term in terms[slug]]
    columns += [("*", MENTION), ("*", OLD_NAME)]
    index = {column: i for i, column in enumerate(columns)}
    cap = catalog.settings.max_hits_per_keyword
    rows, x, y = [], [], []
    for a, (item, obs) in enumerate(zip(items, seen, strict=True)):
        per_slug = {slug: np.zeros(len(columns)) for slug in slugs}
        keyword_scores: Counter[str] = Counter()
        for slug in slugs:
            for term in terms[slug]:
                hits = obs.keywords.get(term.casefold())
                if hits:
                    counted = counted_hits(*hits, catalog)
                    per_slug[slug][index[(slug, term)]] = counted
                    keyword_scores[slug] += weights.get((slug, term), 0.0) * counted
        for mentioned, (count, _name) in obs.mentions.items():
            counted = min(count, cap)
            if len(mentioned) == 1:
                (slug,) = mentioned
                if slug in per_slug:
                    per_slug[slug][index[("*", MENTION)]] += counted
            else:
                for slug in old_name_parts(mentioned, keyword_scores):
                    per_slug[slug][index[("*", OLD_NAME)]] += counted
        for slug in slugs:
            rows.append((a, slug))
            x.append(per_slug[slug])
            y.append(1 if slug in item.labels else 0)
    prior = np.array([priors.get((slug, term.casefold()), 0.0) for slug, term in columns])
    return Design(columns, rows, np.array(x), np.array(y), prior, slugs)


def fit(
    d: Design, c: float, gamma: float, rows: np.ndarray | None = None, floor: float = FLOOR
) -> Model:
    """Prior scales plus penalised corrections, refitted until no weight is below its floor.

    A hand-set keyword (one with a prior) whose corrected weight falls below `floor` × its
    scaled prior is held there, without a correction, instead of being dropped: a few dozen
    articles are too few to decide that "keuangan" says nothing about the budget division. A
    candidate without a prior whose weight comes out negative is dropped (listed as unused).
    """
    rows = np.arange(len(d.y)) if rows is None else rows
    x, y = d.x[rows], d.y[rows]
    row_slug = np.array([d.rows[r][1] for r in rows])
    column_slug = np.array([slug for slug, _ in d.columns])
    n_terms = x.shape[1]
    # A term never seen in training keeps its scaled prior and gets no correction.
    seen = x.any(axis=0)
    keep = np.ones(n_terms, dtype=bool)
    held = np.zeros(n_terms, dtype=bool)  # at its floor: factor × prior, no correction
    has_prior = d.prior > 0
    weights, intercept = np.zeros(n_terms), -5.0
    for _ in range(60):
        prior = np.where(keep, np.where(held, floor * d.prior, d.prior), 0.0)
        # alpha_d columns: each row's prior score for its own division.
        scale_columns = np.stack(
            [
                np.where(row_slug == slug, x @ np.where(column_slug == slug, prior, 0.0), 0.0)
                for slug in d.slugs
            ],
            axis=1,
        )
        corrected = keep & seen & ~held
        model = LogisticRegression(C=c, max_iter=5000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(np.hstack([scale_columns, x[:, corrected] * gamma]), y)
        alpha = dict(zip(d.slugs, model.coef_[0][: len(d.slugs)], strict=True))
        beta = np.zeros(n_terms)
        beta[corrected] = model.coef_[0][len(d.slugs) :]
        alpha_of_column = np.array([max(alpha.get(slug, 0.0), 0.0) for slug in column_slug])
        weights = alpha_of_column * prior + gamma * beta
        intercept = float(model.intercept_[0])
        below = keep & ~held & (weights < floor * alpha_of_column * d.prior - 1e-9)
        below &= has_prior | (weights < -1e-9)
        if not below.any():
            break
        if floor > 0:
            held |= below & has_prior
            keep &= ~(below & ~has_prior)
        else:
            keep &= ~below
    weights = np.where(keep, np.maximum(weights, 0.0), 0.0)
    return Model(weights, intercept)


def decide(
    scores: dict[str, float], cut: float, rule: Decision, slugs: list[str], fallback: str
) -> set[str]:
    """classify()'s decision on raw scores (a copy kept simple, checked by the round trip)."""
    positive = {s: v for s, v in scores.items() if v > 0}
    best = max(positive.values(), default=0.0)
    floor = max(cut, rule.relative_cutoff * best)
    chosen = [s for s in slugs if s in positive and positive[s] >= floor]
    if rule.max_divisions and len(chosen) > rule.max_divisions:
        keep = set(sorted(chosen, key=lambda s: -positive[s])[: rule.max_divisions])
        chosen = [s for s in chosen if s in keep]
    return set(chosen) or {fallback}


def article_scores(d: Design, weights: np.ndarray, rows: np.ndarray) -> dict[int, dict[str, float]]:
    raw = d.x[rows] @ weights
    out: dict[int, dict[str, float]] = {}
    for value, r in zip(raw, rows, strict=True):
        a, slug = d.rows[r]
        out.setdefault(a, {})[slug] = float(value)
    return out


GRID_C = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
GRID_GAMMA = [0.3, 1.0, 3.0]
GRID_TITLE = [1.0, 2.0]  # 4.0: CV F1 0.80 against 0.82 at 1.0 on 100 tuning articles
GRID_LEAD = [1.0]  # 2.0 was tried on 101 tuning articles: no better in cross-validation
# Hits counted per keyword at most (100 tuning articles, CV F1: 0.83 at 2, 0.84 at 3, 0.85 at 5).
GRID_CAP = [3, 5]
GRID_RULES = [
    Decision(p, rc, md)
    for p in (0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0)
    for rc in (0.0, 0.3, 0.5, 0.65, 0.7, 0.8)
    for md in (0, 1, 2)
]


def f_beta(precision: float, recall: float, beta: float) -> float:
    """F-beta: beta < 1 weighs precision more (a wrong tag is worse than a missing one)."""
    if precision + recall == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)


def cross_validate(
    items: list[LabelledText],
    d: Design,
    catalog: DivisionCatalog,
    folds: int,
    repeats: int,
    beta: float = 1.0,
    floor: float = FLOOR,
) -> tuple[tuple[float, float, Decision], dict, dict]:
    """Pick C, gamma and the decision rule by repeated K-fold CV over articles (micro F-beta).

    Returns the best key, every key's micro (P, R, F1) and every key's per-division table.
    """
    slugs = [s for s in catalog.slugs if s != catalog.settings.fallback]
    fallback = catalog.settings.fallback
    article_rows: dict[int, list[int]] = {}
    for r, (a, _slug) in enumerate(d.rows):
        article_rows.setdefault(a, []).append(r)
    n = len(items)
    pairs: dict[tuple[float, float, Decision], list[tuple[set[str], set[str]]]] = {}
    for repeat in range(repeats):
        splitter = KFold(n_splits=min(folds, n), shuffle=True, random_state=repeat)
        for train_a, test_a in splitter.split(np.arange(n)):
            train = np.array([r for a in train_a for r in article_rows[a]])
            test = np.array([r for a in test_a for r in article_rows[a]])
            for c in GRID_C:
                for gamma in GRID_GAMMA:
                    model = fit(d, c, gamma, train, floor)
                    scored = article_scores(d, model.weights, test)
                    for rule in GRID_RULES:
                        cut = _cut(rule, model)
                        got = pairs.setdefault((c, gamma, rule), [])
                        for a, scores in scored.items():
                            got.append(
                                (set(items[a].labels), decide(scores, cut, rule, slugs, fallback))
                            )
    all_slugs = catalog.slugs
    results, tables = {}, {}
    for key, got in pairs.items():
        tables[key], m = tally(got, all_slugs)
        results[key] = (m.precision, m.recall, m.f1)

    # Scores that differ in the third decimal are one article on a hundred: among them the
    # choice goes to the best worst division (the bar: none with 5 articles below 0.75),
    # then to precision.
    def worst(k: tuple[float, float, Decision]) -> float:
        rows = [row.f1 for row in tables[k].values() if row.support >= 5 * repeats]
        return min(rows, default=0.0)

    best = max(
        results,
        key=lambda k: (
            round(f_beta(results[k][0], results[k][1], beta), 2),
            round(worst(k), 2),
            results[k][0],
        ),
    )
    return best, results, tables


def _cut(rule: Decision, model: Model) -> float:
    """The raw-score threshold; an intercept that is not negative would tag everything."""
    return rule.tau * -model.intercept if model.intercept < 0 else math.inf


def suggest(items: list[LabelledText], catalog: DivisionCatalog, top: int = 25) -> None:
    """Words and word pairs frequent in a division's articles and rare in the others."""
    word = re.compile(r"[a-zA-Z][a-zA-Z-]{2,}")
    docs = []
    for item in items:
        words = word.findall(f"{item.title} {item.text}".casefold())
        grams = set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}
        docs.append(grams)
    for division in catalog:
        if division.slug == catalog.settings.fallback:
            continue
        pos = [g for g, item in zip(docs, items, strict=True) if division.slug in item.labels]
        neg = [g for g, item in zip(docs, items, strict=True) if division.slug not in item.labels]
        if not pos:
            continue
        pc, nc = Counter(g for doc in pos for g in doc), Counter(g for doc in neg for g in doc)
        ranked = sorted(
            (g for g, k in pc.items() if k >= 2),
            key=lambda g: -((pc[g] + 0.5) / (len(pos) + 1)) / ((nc[g] + 0.5) / (len(neg) + 1)),
        )
        shown = ", ".join(f"{g} {pc[g]}/{nc[g]}" for g in ranked[:top])
        print(f"{division.slug} ({len(pos)} articles): {shown}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the file")
    parser.add_argument("--suggest", action="store_true", help="print candidate words and exit")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--beta",
        type=float,
        default=1.0,
        # 0.5 (precision first) chose max_divisions=1 on the 100 tuning articles: CV P 0.92
        # R 0.79 F1 0.85, sdm F1 0.67, never a second division (PRODUCT: "one or two").
        help="CV objective F-beta (default 1: plain F1; 0.5: precision counts more)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--floor",
        type=float,
        default=FLOOR,
        help="share of its scaled prior a hand-set keyword keeps at least (0: may be dropped)",
    )
    parser.add_argument(
        "--title-multipliers",
        default=",".join(str(v) for v in GRID_TITLE),
        help="title multipliers to try, comma-separated",
    )
    parser.add_argument(
        "--caps",
        default=",".join(str(v) for v in GRID_CAP),
        help="values of max_hits_per_keyword to try, comma-separated",
    )
    parser.add_argument("--output", type=Path, default=DIVISIONS_TOML)
    args = parser.parse_args(argv)

    catalog = load_divisions(DIVISIONS_TOML)
    items = load_kpu_half("tune")
    if not items:
        print("no tuning texts found (set KPU_EVAL_TEXTS)", file=sys.stderr)
        return 2
    if args.suggest:
        suggest(items, catalog)
        return 0

    terms = universe(catalog)
    probe = probe_catalog(catalog, terms)
    seen = observe_all(items, probe)
    priors = load_priors()
    prior_weights = {
        (slug, t): priors.get((slug, t.casefold()), 0.0) for slug in terms for t in terms[slug]
    }
    best = None
    title_grid = [float(v) for v in args.title_multipliers.split(",")]
    cap_grid = [int(v) for v in args.caps.split(",")]
    for multiplier, lead, cap in itertools.product(title_grid, GRID_LEAD, cap_grid):
        trial = DivisionCatalog(
            list(catalog),
            replace(
                catalog.settings,
                title_multiplier=multiplier,
                lead_multiplier=lead,
                max_hits_per_keyword=cap,
            ),
        )
        d = design(items, seen, terms, trial, prior_weights, priors)
        key, results, tables = cross_validate(
            items, d, trial, args.folds, args.repeats, args.beta, args.floor
        )
        p, r, f = results[key]
        print(
            f"title_multiplier {multiplier}, lead_multiplier {lead}, max_hits_per_keyword {cap}:"
            f" CV micro P {p:.2f} R {r:.2f} F1 {f:.2f}"
        )
        score = f_beta(p, r, args.beta)
        if best is None or (round(score, 3), p) > (
            round(f_beta(best[3][0], best[3][1], args.beta), 3),
            best[3][0],
        ):
            best = (trial, d, key, (p, r, f), tables[key])
    assert best is not None
    catalog, d, (c, gamma, rule), (p, r, f), table = best
    print(
        f"{len(items)} tuning articles, {d.x.shape[1]} terms; CV ({args.repeats}×{args.folds}-fold)"
        f" best: title_multiplier={catalog.settings.title_multiplier}"
        f" lead_multiplier={catalog.settings.lead_multiplier}"
        f" max_hits_per_keyword={catalog.settings.max_hits_per_keyword} C={c} gamma={gamma}"
        f" tau={rule.tau} relative_cutoff={rule.relative_cutoff}"
        f" max_divisions={rule.max_divisions}: micro P {p:.2f} R {r:.2f} F1 {f:.2f}"
    )

    for slug, row in table.items():
        print(
            f"  {slug:12} CV P {row.precision:.2f} R {row.recall:.2f} F1 {row.f1:.2f}"
            f" (n {row.support // args.repeats})"
        )

    # Final fit on the whole tuning half; old-name parts re-decided with the learned weights.
    model = fit(d, c, gamma, floor=args.floor)
    learned = dict(zip(d.columns, model.weights, strict=True))
    d = design(items, seen, terms, catalog, learned, priors)
    model = fit(d, c, gamma, floor=args.floor)
    cut = _cut(rule, model)
    if not 0 < cut < math.inf:
        print("the fitted cut is not positive; nothing written", file=sys.stderr)
        return 1
    # Points an operator can read: the median keyword weighs MEDIAN_POINTS.
    positive = model.weights[:-2][model.weights[:-2] > 0]
    scale = MEDIAN_POINTS / float(np.median(positive)) if positive.size else 1.0
    threshold = round(cut * scale, 2)
    weights = {
        column: round(float(value) * scale, 2)
        for column, value in zip(d.columns, model.weights, strict=True)
    }
    text = render(
        catalog,
        terms,
        weights,
        rule,
        threshold,
        header=(
            f"fitted by bench/fit_divisions.py on {len(items)} tuning articles,"
            f" {datetime.now(UTC):%Y-%m-%d};"
            f" cross-validated on them: micro P {p:.2f} R {r:.2f} F1 {f:.2f}.\n"
            "# CV F1 per division: "
            + ", ".join(f"{slug} {row.f1:.2f}" for slug, row in table.items() if row.support)
        ),
    )
    if args.dry_run:
        print(text)
        return 0
    args.output.write_text(text, encoding="utf-8")
    check = load_divisions(args.output)  # the file must load, and tag as the fit decided
    print(f"wrote {args.output} ({sum(len(x.keywords) for x in check)} weighted keywords)")
    return 0


HEADER = """\
# KPU divisions: names, descriptions, older names and the keywords that tag an article.
#
# `short_name` (at most 22 characters, no commas) is what lists and buttons show, so a list of
# divisions reads as the right number of items and a button fits a phone; headings show `name`.
#
# Slugs are the interface (subscriptions and digests use them): rename a division's `name`
# freely, never its `slug`. Divisions are listed in the order digests show them.
#
# The weights below were {header}.
# Rerun it after labelling more articles; edit by hand freely (the next fit starts from your
# keywords and `unused` lists). `kpu-digest explain FILE_OR_URL` shows the words behind a tag.
#
# How an article is scored (digests/summary/classify.py), in points:
# * Every keyword found in the title or body adds its weight per hit, at most
#   `max_hits_per_keyword` hits; a hit in the title counts `title_multiplier` hits, one in
#   the first paragraph `lead_multiplier` hits (news states its activity there; the rest
#   names the people present and the background).
#   Matching ignores case (upper-case acronyms excepted) and needs whole words; single
#   lower-case words also match with common Indonesian affixes ("sosialisasi" finds
#   "disosialisasikan", "sosialisasinya").
# * "Divisi <name>" (a division's name, older name or one of its `mentions`) adds
#   `explicit_weight`: weak evidence, because it usually names the role of a person present,
#   not the work the article is about (PRODUCT.md "What a tag means").
# * An older combined name ("Divisi Perencanaan dan Data", "SDM dan Parmas") adds
#   `old_name_weight` only to the part the rest of the article is about: the part with the
#   highest keyword score (none when no part has any).
# * A division is tagged when its score reaches `threshold` and at least `relative_cutoff` of
#   the best division's score, at most `max_divisions` of them (0: no limit), best first.
#   An article that tags nothing gets the `fallback` slug.
"""


def render(
    catalog: DivisionCatalog,
    terms: dict[str, list[str]],
    weights: dict[tuple[str, str], float],
    rule: Decision,
    threshold: float,
    header: str,
) -> str:
    """The whole divisions.toml, comments included, with the fitted numbers."""
    s = catalog.settings
    lines = [HEADER.format(header=header)]
    lines += [
        "[settings]",
        f"threshold = {threshold}",
        f"relative_cutoff = {rule.relative_cutoff}",
        f"max_divisions = {rule.max_divisions}",
        f"explicit_weight = {max(weights[('*', MENTION)], 0.0)}",
        f"old_name_weight = {max(weights[('*', OLD_NAME)], 0.0)}",
        f"title_multiplier = {s.title_multiplier}",
        f"lead_multiplier = {s.lead_multiplier}",
        f"max_hits_per_keyword = {s.max_hits_per_keyword}",
        f"fallback = {_str(s.fallback)}",
        "# Words after which a division name counts as an explicit mention: "
        '"Divisi Hukum dan Pengawasan",',
        '# "anggota KPU yang membidangi data dan informasi".',
        f"mention_triggers = {_list(s.mention_triggers)}",
        "# Phrases that contain a keyword or a division word but mean something else; they count"
        " for no",
        '# division, in keywords or after "Divisi". "Sekretaris Daerah" is the regional'
        " government's",
        '# secretary, not KPU\'s; "Divisi Teknis Penyelenggaraan Pemilihan Umum" is no "Umum"'
        " division.",
        f"ignore = {_list(s.ignore)}",
        "",
    ]
    for division in catalog:
        lines += _division(division, terms.get(division.slug, []), weights)
    return "\n".join(lines).rstrip() + "\n"


def _division(
    division: Division, terms: list[str], weights: dict[tuple[str, str], float]
) -> list[str]:
    kept = [(t, weights.get((division.slug, t), 0.0)) for t in terms]
    used = sorted(((t, w) for t, w in kept if w >= MIN_WEIGHT), key=lambda tw: (-tw[1], tw[0]))
    unused = sorted(t for t, w in kept if w < MIN_WEIGHT)
    lines = [
        "[[divisions]]",
        f"slug = {_str(division.slug)}",
        f"name = {_str(division.name)}",
        f"short_name = {_str(division.short_name)}",
        f"description = {_str(division.description)}",
        f"old_names = {_list(division.old_names)}",
        f"mentions = {_list(division.mentions)}",
    ]
    if unused:
        lines.append(f"unused = {_list(unused)}")
    lines += ["", "[divisions.keywords]"]
    lines += [f"{_str(t)} = {w}" for t, w in used]
    lines.append("")
    return lines


def _str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_str(v) for v in values) + "]"


if __name__ == "__main__":
    raise SystemExit(main())
