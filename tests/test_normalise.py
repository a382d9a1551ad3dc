from hypothesis import given
from hypothesis import strategies as st

from parsers.normalise import clean, fingerprint, fold, join_lines, strip_bullet, strip_footnote_markers


def test_clean_ligatures_quotes_dashes_spaces():
    assert clean("e\ufb03cient \ufb01nding") == "efficient finding"
    assert clean("children\u2019s \u201cfront door\u201d") == "children's \"front door\""
    assert clean("2015\u20132025 \u2014 ok") == "2015-2025 - ok"
    assert clean("a\u00a0 b\t\tc\u200b\n d") == "a b c d"


def test_strip_bullet_variants():
    for bullet in ("•", "▪", "-", "◼", "\uf0b7", "–"):
        assert strip_bullet(f"{bullet} Police vacancies") == (True, "Police vacancies")
    assert strip_bullet("-1 degrees") == (False, "-1 degrees")
    assert strip_bullet("multi-agency") == (False, "multi-agency")


def test_join_lines_undoes_hyphenation_but_keeps_compounds():
    assert join_lines(["co-ordinated response by the Au-", "thority and its Board"]) == (
        "co-ordinated response by the Authority and its Board"
    )
    assert join_lines(["takes ac-", "count of the ISCB priorities"]) == "takes account of the ISCB priorities"
    assert join_lines(["the multi-", "agency front door"]) == "the multi-agency front door"
    assert join_lines(["they do not", "receive specialist training"]) == "they do not receive specialist training"


def test_footnote_markers_removed():
    assert strip_footnote_markers("in Islington.¹ This inspection") == "in Islington. This inspection"


def test_fingerprint_ignores_typography():
    a = "Children\u2019s  \u201cfront door\u201d is strong\u2014mostly."
    b = "Children's \"front door\" is strong - mostly."
    assert fingerprint(a) == fingerprint(b) == "children s front door is strong mostly"


@given(st.text())
def test_clean_is_idempotent(s):
    assert clean(clean(s)) == clean(s)


@given(st.text())
def test_fold_is_padded_lowercase_words(s):
    f = fold(s)
    assert f.startswith(" ") and f.endswith(" ")
    assert f == f.lower()
    assert "  " not in f.strip() or f.strip() == ""
    assert all(ch.isalnum() or ch == " " for ch in f)


@given(st.text())
def test_fingerprint_stable_under_clean(s):
    assert fingerprint(clean(s)) == fingerprint(s)


@given(st.lists(st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True), min_size=1, max_size=30))
def test_join_lines_keeps_every_word(words):
    lines = [" ".join(words[i : i + 4]) for i in range(0, len(words), 4)]
    assert join_lines(lines).split() == " ".join(lines).split()


def test_join_lines_keeps_hyphen_before_a_hyphenated_fragment():
    assert join_lines(["kept up-", "to-date by managers"]) == "kept up-to-date by managers"
