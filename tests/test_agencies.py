"""Agencies named by findings, on sentences from the seed letters."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.agencies import AGENCIES, agencies_in

SEEDS = Path("/work/shared/corpus/seeds")
ISLINGTON = "000_21a66ca15c83ae3b.txt"
CORNWALL = "001_554819764a478eab.txt"
SHROPSHIRE = "004_f73b1c48d69ccc7d.txt"


def line(seed: str, start: str) -> str:
    path = SEEDS / seed
    if not path.exists():
        pytest.skip("seed corpus not present")
    for text in path.read_text(encoding="utf-8").splitlines():
        if text.lstrip("- ").startswith(start):
            return text
    raise AssertionError(f"no line starting {start!r} in {seed}")


def test_the_six_in_order() -> None:
    assert AGENCIES == ("police", "health", "probation", "local authority", "schools", "youth offending")


@pytest.mark.parametrize(
    ("seed", "start", "expected"),
    [
        (ISLINGTON, "Police vacancies in safeguarding, coupled with a shortfall of qualified detectives", ["police"]),
        (ISLINGTON, "It is recognised by the senior leadership team of Central North BCU", ["police"]),
        (ISLINGTON, "Midwives providing antenatal care", ["health"]),
        (ISLINGTON, "Tony Hoolaghan, Chief Operating Officer for Haringey and Islington", ["health"]),
        (ISLINGTON, "Key health and education professionals", ["health", "local authority", "schools"]),
        (ISLINGTON, "Capacity is challenging in some key areas", ["health"]),
        (ISLINGTON, "Multi-agency public protection arrangements (MAPPA)", ["police", "probation"]),
        (ISLINGTON, "It is impressive that the Youth Offending Service (YOS)", ["local authority", "youth offending"]),
        (ISLINGTON, "CAMHS support to children in schools is strong", ["health", "local authority", "schools"]),
        (ISLINGTON, "Some children subject to and at risk of child sexual abuse", []),
        (CORNWALL, "Probation officers and YOS case managers", ["probation", "local authority", "youth offending"]),
        (CORNWALL, "Risks posed by registered sex offenders", ["police", "probation"]),
        (CORNWALL, "Effective working relationships between the out of hours service", ["police", "local authority"]),
        (CORNWALL, "Due to high demands within the school nursing service", ["health"]),
        (SHROPSHIRE, "Two probation service officers, working remotely", ["probation", "local authority"]),
    ],
)
def test_seed_lines(seed: str, start: str, expected: list[str]) -> None:
    assert agencies_in(line(seed, start)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HMI Probation undertook a joint inspection", []),
        ("HMI Constabulary and Fire & Rescue Services (HMICFRS)", []),
        ("parents with mild to moderate mental health difficulties", []),
        ("the emotional health and mental well-being of children", []),
        ("child and adolescent mental health services", ["health"]),
        ("school nurses and GPs", ["health"]),
        ("schools and colleges", ["schools"]),
        ("teachers and the designated safeguarding lead", ["schools"]),
        ("the virtual school", ["local authority"]),
        ("the local authority designated officer", ["local authority"]),
        ("the responsible probation officer", ["probation"]),
        ("officers attending incidents", ["police"]),
        ("the Metropolitan Police Service (MPS)", ["police"]),
        ("MPs debated", []),
        ("the NPS and the CRC", ["probation"]),
        ("the community rehabilitation company", ["probation"]),
        ("the YOT and youth justice service", ["youth offending"]),
        ("Cornwall Council", ["local authority"]),
        ("children's social care", ["local authority"]),
        ("NHS Kernow Clinical Commissioning Group", ["health"]),
        ("the constabulary and the hospital", ["police", "health"]),
        ("", []),
    ],
)
def test_terms(text: str, expected: list[str]) -> None:
    assert agencies_in(text) == expected


def test_fixed_order_regardless_of_text_order() -> None:
    text = "youth offending workers, teachers, social workers, probation, GPs and the police"
    assert agencies_in(text) == list(AGENCIES)
