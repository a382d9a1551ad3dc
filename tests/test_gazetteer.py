"""The area gazetteer: the 156 authorities, lookup in every spelling, mentions in prose."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from parsers.gazetteer import Gazetteer
from parsers.records import Area

MANIFEST = Path("/work/shared/corpus/ofsted-real/manifest.csv")


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return Gazetteer.default()


def names(found: list[tuple[Area, int]]) -> list[str]:
    return [a.name for a, _ in found]


def test_default_is_cached_and_complete(g: Gazetteer) -> None:
    assert Gazetteer.default() is g
    assert len(g.areas) == 156
    assert len({a.ofsted_urn for a in g.areas}) == 156
    assert len({a.ons_code for a in g.areas}) == 156
    assert all(a.name and a.ons_code and a.ofsted_urn and a.region for a in g.areas)


@pytest.mark.parametrize(
    ("query", "name", "ons", "urn"),
    [
        ("Islington", "Islington", "E09000019", "80505"),
        ("islington", "Islington", "E09000019", "80505"),
        ("ISLINGTON", "Islington", "E09000019", "80505"),
        ("London Borough of Islington", "Islington", "E09000019", "80505"),
        ("Islington local authority", "Islington", "E09000019", "80505"),
        ("Islington Council", "Islington", "E09000019", "80505"),
        ("Islington Safeguarding Children Board", "Islington", "E09000019", "80505"),
        ("E09000019", "Islington", "E09000019", "80505"),
        ("e09000019", "Islington", "E09000019", "80505"),
        ("80505", "Islington", "E09000019", "80505"),
        ("Cornwall", "Cornwall", "E06000052", "80454"),
        ("Cornwall Council", "Cornwall", "E06000052", "80454"),
        ("Shropshire", "Shropshire", "E06000051", "80552"),
        ("Shropshire County Council", "Shropshire", "E06000051", "80552"),
        ("Bristol", "Bristol", "E06000023", "80441"),
        ("Bristol, City of", "Bristol", "E06000023", "80441"),
        ("City of Bristol", "Bristol", "E06000023", "80441"),
        ("Bristol City Council", "Bristol", "E06000023", "80441"),
        ("Hull", "Kingston upon Hull", "E06000010", "80477"),
        ("Kingston upon Hull", "Kingston upon Hull", "E06000010", "80477"),
        ("Kingston Upon Hull, City of", "Kingston upon Hull", "E06000010", "80477"),
        ("Hull City Council", "Kingston upon Hull", "E06000010", "80477"),
        ("Bournemouth, Christchurch and Poole", "Bournemouth, Christchurch and Poole", "E06000058", "2532287"),
        ("Bournemouth, Christchurch & Poole", "Bournemouth, Christchurch and Poole", "E06000058", "2532287"),
        ("BCP", "Bournemouth, Christchurch and Poole", "E06000058", "2532287"),
        ("BCP Council", "Bournemouth, Christchurch and Poole", "E06000058", "2532287"),
        ("St. Helens", "St. Helens", "E08000013", "80560"),
        ("St Helens", "St. Helens", "E08000013", "80560"),
        ("Saint Helens", "St. Helens", "E08000013", "80560"),
        ("Herefordshire", "Herefordshire", "E06000019", "80474"),
        ("Herefordshire, County of", "Herefordshire", "E06000019", "80474"),
        ("Durham", "County Durham", "E06000047", "80465"),
        ("County Durham", "County Durham", "E06000047", "80465"),
        ("Durham County Council", "County Durham", "E06000047", "80465"),
        ("Southend", "Southend-on-Sea", "E06000033", "80559"),
        ("Southend-on-Sea", "Southend-on-Sea", "E06000033", "80559"),
        ("Southend on Sea Borough Council", "Southend-on-Sea", "E06000033", "80559"),
        ("Leicester City Council", "Leicester", "E06000016", "80482"),
        ("Leicestershire County Council", "Leicestershire", "E10000018", "80483"),
        ("City of Bradford Metropolitan District Council", "Bradford", "E08000032", "80449"),
        ("Metropolitan Borough of Rotherham", "Rotherham", "E08000018", "80543"),
        ("Bedford Borough", "Bedford", "E06000055", "80428"),
        ("Bedford", "Bedford", "E06000055", "80428"),
        ("Doncaster Metropolitan Borough Council", "Doncaster", "E08000017", "80462"),
        ("Swindon Borough Council", "Swindon", "E06000030", "80568"),
        ("Wokingham Borough Council", "Wokingham", "E06000041", "80582"),
        ("Royal Borough of Greenwich", "Greenwich", "E09000011", "80495"),
        ("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea", "E09000020", "80544"),
        ("The Royal Borough of Windsor & Maidenhead", "Windsor and Maidenhead", "E06000040", "80546"),
        ("Bath & North East Somerset", "Bath and North East Somerset", "E06000022", "80427"),
        ("City of London", "City of London", "E09000001", "80450"),
        ("City of York Council", "York", "E06000014", "80453"),
        ("Council of the Isles of Scilly", "Isles of Scilly", "E06000053", "80455"),
        ("Stockton on Tees", "Stockton-on-Tees", "E06000004", "80563"),
        ("Newcastle", "Newcastle upon Tyne", "E08000021", "80525"),
        ("Cumbria", "Cumbria", "E10000006", "135513"),
    ],
)
def test_lookup(g: Gazetteer, query: str, name: str, ons: str, urn: str) -> None:
    area = g.lookup(query)
    assert area is not None, query
    assert (area.name, area.ons_code, area.ofsted_urn) == (name, ons, urn)


@pytest.mark.parametrize("query", ["", "   ", "London", "Nowhere", "Kingston", "Council", "Borough of"])
def test_lookup_unknown(g: Gazetteer, query: str) -> None:
    assert g.lookup(query) is None


def test_by_urn(g: Gazetteer) -> None:
    assert g.by_urn("80505") == g.lookup("Islington")
    assert g.by_urn(80552) == g.lookup("Shropshire")
    assert g.by_urn("2532287") == g.lookup("BCP")
    assert g.by_urn("1") is None


def test_area_record(g: Gazetteer) -> None:
    area = g.lookup("Islington")
    assert area == Area("Islington", "E09000019", "80505", "London")
    assert area.to_json() == {"name": "Islington", "ons_code": "E09000019", "ofsted_urn": "80505"}


def test_suggest(g: Gazetteer) -> None:
    assert "Islington" in g.suggest("Islingtn")
    assert g.suggest("Hertfordshir")[0] == "Hertfordshire"
    assert "Kingston upon Thames" in g.suggest("Kingston")
    assert len(g.suggest("Leicster", n=2)) <= 2
    assert g.suggest("zzzz") == []


def test_manifest_areas(g: Gazetteer) -> None:
    if not MANIFEST.exists():
        pytest.skip("real Ofsted corpus not present")
    with MANIFEST.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for row in rows:
        by_urn = g.by_urn(row["ofsted_urn"])
        assert by_urn is not None, row
        assert g.lookup(row["local_authority"]) == by_urn, row["local_authority"]


# ------------------------------------------------------------------------------ find_in


def test_find_in_addressee_lines(g: Gazetteer) -> None:
    text = (
        "Tony Hoolaghan, Chief Operating Officer for Haringey and Islington Clinical "
        "Commissioning Groups"
    )
    found = g.find_in(text)
    assert names(found) == ["Haringey", "Islington"]
    assert found[0][1] == text.index("Haringey")
    assert found[1][1] == text.index("Islington")

    text = (
        "Jon Nason, Head of Plymouth, Cornwall and Isles of Scilly Local Delivery Unit, "
        "National Probation Service, South West, South Central Division"
    )
    assert names(g.find_in(text)) == ["Plymouth", "Cornwall", "Isles of Scilly"]

    text = "Carmel Littleton, Director of Children's Services, Islington local authority"
    assert names(g.find_in(text)) == ["Islington"]

    text = "Shaun Sawyer, Chief Constable of Devon and Cornwall Police"
    assert names(g.find_in(text)) == ["Devon", "Cornwall"]


def test_find_in_prose(g: Gazetteer) -> None:
    text = (
        "There are clear governance structures for safeguarding within the Central North "
        "Basic Command Unit (BCU), which incorporates Islington and Camden police boroughs, "
        "with a lead for safeguarding at superintendent level."
    )
    found = g.find_in(text)
    assert names(found) == ["Islington", "Camden"]
    assert [o for _, o in found] == [text.index("Islington"), text.index("Camden")]
    # Each area once, at its first mention.
    text = "Camden and Islington NHS Trust ... the Camden and Islington MASH teams"
    assert [(a.name, o) for a, o in g.find_in(text)] == [("Camden", 0), ("Islington", 11)]


def test_find_in_longest_match(g: Gazetteer) -> None:
    assert names(g.find_in("Children in North Yorkshire")) == ["North Yorkshire"]
    assert names(g.find_in("Central Bedfordshire and Bedford")) == ["Central Bedfordshire", "Bedford"]
    assert names(g.find_in("Bath and North East Somerset Council")) == ["Bath and North East Somerset"]
    assert names(g.find_in("Bath & North East Somerset")) == ["Bath and North East Somerset"]
    assert names(g.find_in("in Leicestershire")) == ["Leicestershire"]
    assert names(g.find_in("East Riding of Yorkshire")) == ["East Riding of Yorkshire"]
    assert names(g.find_in("Kingston upon Thames and Kingston upon Hull")) == [
        "Kingston upon Thames",
        "Kingston upon Hull",
    ]
    assert names(g.find_in("Bournemouth, Christchurch and Poole Council")) == [
        "Bournemouth, Christchurch and Poole"
    ]
    assert names(g.find_in("Bournemouth, Christchurch & Poole")) == [
        "Bournemouth, Christchurch and Poole"
    ]
    assert names(g.find_in("Newcastle-under-Lyme")) == []
    assert names(g.find_in("York and City of York")) == ["York"]


def test_find_in_spelling_variants(g: Gazetteer) -> None:
    assert names(g.find_in("St Helens, St. Helens")) == ["St. Helens"]
    assert names(g.find_in("Stockton-\non-Tees")) == ["Stockton-on-Tees"]
    assert names(g.find_in("KINGSTON UPON HULL")) == ["Kingston upon Hull"]
    assert names(g.find_in("Kingston Upon Hull, City of")) == ["Kingston upon Hull"]
    assert names(g.find_in("partners in Hull said")) == ["Kingston upon Hull"]
    assert names(g.find_in("the BCP partnership")) == ["Bournemouth, Christchurch and Poole"]
    assert names(g.find_in("the bcp partnership")) == []
    assert names(g.find_in("ISLINGTON'S partnership")) == ["Islington"]


def test_find_in_common_words(g: Gazetteer) -> None:
    assert g.find_in("Reading the report") == []
    assert g.find_in("reading the report, children bury their feelings") == []
    assert g.find_in("- Reading the plan helps") == []
    assert g.find_in("FURTHER READING") == []
    assert names(g.find_in("children in Reading are safe")) == ["Reading"]
    assert names(g.find_in("Reading has improved.")) == ["Reading"]
    assert names(g.find_in("Reading's children")) == ["Reading"]
    assert names(g.find_in("Reading Borough Council")) == ["Reading"]
    assert names(g.find_in("Bury Council and Slough Borough Council")) == ["Bury", "Slough"]
    assert names(g.find_in("Reading")) == ["Reading"]


def test_find_in_whole_words_only(g: Gazetteer) -> None:
    assert g.find_in("Kentish Town, Yorkshire, Durhamshire") == []
    assert g.find_in("islington and camden in lower case") == []
    assert names(g.find_in("Islington-based services")) == ["Islington"]


def test_find_in_seed_letter_primary_area_first(g: Gazetteer) -> None:
    seeds = Path("/work/shared/corpus/seeds")
    if not seeds.exists():
        pytest.skip("seed corpus not present")
    expected = {
        "000_21a66ca15c83ae3b.txt": "Islington",
        "001_554819764a478eab.txt": "Cornwall",
        "004_f73b1c48d69ccc7d.txt": "Shropshire",
    }
    for name, area in expected.items():
        found = g.find_in((seeds / name).read_text(encoding="utf-8"))
        assert found[0][0].name == area
