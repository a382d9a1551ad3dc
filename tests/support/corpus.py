"""Where the shared corpus lives: ``$JTAI_WATCH_SHARED`` or ``shared/`` beside the checkout."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("JTAI_WATCH_SHARED", _ROOT.parent / "shared"))
SEEDS = SHARED / "corpus" / "seeds"
OFSTED = SHARED / "corpus" / "ofsted-real"


@dataclass(frozen=True)
class ManifestRow:
    file: str
    ofsted_urn: str
    local_authority: str
    publication_label: str
    publication_date: str
    bytes: int
    sha256: str

    @property
    def path(self) -> Path:
        return OFSTED / self.file


def manifest() -> list[ManifestRow]:
    with (OFSTED / "manifest.csv").open(encoding="utf-8") as fh:
        return [
            ManifestRow(
                file=r["file"],
                ofsted_urn=r["ofsted_urn"],
                local_authority=r["local_authority"],
                publication_label=r["publication_label"],
                publication_date=r["publication_date"],
                bytes=int(r["bytes"]),
                sha256=r["sha256"],
            )
            for r in csv.DictReader(fh)
        ]


def seed_path(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))
