"""Synthetic raw case rows for the release benchmark (numpy only, nothing downloaded).

Distributions are shaped like a counter-trafficking caseload: most cases registered in recent
years, women in the majority, adults mostly in their twenties and thirties, a few countries of
origin and of exploitation carrying most of the cases with a long tail, forced labour and sexual
exploitation dominating, means of control often unrecorded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ORIGINS = (
    "PH ID VN KH MM TH NP BD IN LK PK AF NG GH ER ET SO SD ML SN CI GN CM CD UA MD RO BG AL "
    "UZ KG TJ HT HN GT SV VE CO MX BR BO PE EC SY IQ YE MA DZ TN EG LY"
).split()
DESTINATIONS = (
    "US GB DE IT ES FR NL BE SA AE QA KW JO LB TR MY TH SG CN JP RU PL RO LY MA EG NE ML "
    "MX GT AR BR KE ZA NG IN"
).split()
TYPES = (
    "ForcedLabour",
    "SexualExploitation",
    "Servitude",
    "ForcedBegging",
    "ForcedMarriage",
    "ChildLabour",
    "Other",
)
CONTROLS = (
    "DebtBondage",
    "TakesEarnings",
    "PhysicalThreats",
    "PhysicalAbuse",
    "PsychologicalAbuse",
    "WithholdsDocuments",
    "FalsePromises",
    "ExcessiveWorkingHours",
)


def _zipf_choice(rng: np.random.Generator, values: list[str], n: int, a: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, len(values) + 1) ** a
    return rng.choice(np.array(values, dtype=object), size=n, p=weights / weights.sum())


def _lists(
    rng: np.random.Generator, codes: tuple[str, ...], probs: list[float], n: int, empty: float
) -> np.ndarray:
    hits = rng.random((n, len(codes))) < np.array(probs)
    joined = np.full(n, "", dtype=object)
    for i, code in enumerate(codes):
        joined = np.where(hits[:, i], joined + ";" + code, joined)
    joined = pd.Series(joined).str.lstrip(";").to_numpy(dtype=object)
    unknown = rng.random(n) < empty
    return np.where(unknown, "", joined)


def raw_cases(n: int, seed: int = 2026) -> pd.DataFrame:
    """``n`` raw case rows with the columns salama.evidence.release.RAW_COLUMNS."""
    rng = np.random.default_rng(seed)
    years = rng.choice(
        np.arange(2015, 2026), size=n, p=np.linspace(1, 3, 11) / np.linspace(1, 3, 11).sum()
    )
    sex = rng.choice(
        np.array(["female", "male", "unknown"], dtype=object), size=n, p=[0.6, 0.38, 0.02]
    )
    age = np.clip(rng.gamma(6.0, 4.5, size=n) + 4, 5, 80).round()
    age = np.where(rng.random(n) < 0.08, np.nan, age)
    origin = _zipf_choice(rng, ORIGINS, n, 1.1)
    origin = np.where(rng.random(n) < 0.03, "", origin)
    destination = _zipf_choice(rng, DESTINATIONS, n, 1.0)
    destination = np.where(rng.random(n) < 0.1, "", destination)
    types = _lists(rng, TYPES, [0.55, 0.35, 0.06, 0.03, 0.03, 0.02, 0.02], n, 0.05)
    controls = _lists(rng, CONTROLS, [0.3, 0.35, 0.4, 0.25, 0.3, 0.3, 0.2, 0.2], n, 0.35)
    return pd.DataFrame(
        {
            "year": years,
            "sex": sex,
            "age": age,
            "citizenship": origin,
            "exploitation_country": destination,
            "exploitation_types": types,
            "methods_of_control": controls,
        }
    )
