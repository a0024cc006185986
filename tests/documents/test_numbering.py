"""The 发文代字 a document uses when its organization has none: an abbreviation of the name in the pattern the
city's offices use, never the full name (which made numbers such as 郑州市第三十一中学高二年级党支部〔2026〕3号)."""

from __future__ import annotations

import pytest

from flowengine.demo import DOC_PREFIXES, ORGS
from flowengine.documents.numbering import MAX_DERIVED, derived_prefix, prefix_of, printed_number

# The demo's 代字 are those the offices chose; the abbreviation reproduces all but one (师院附小支: a 代字
# that shortens the name of a university, which no rule can guess).
NAMES = {o["code"]: o["name"] for o in ORGS}
GUESSED = [code for code in DOC_PREFIXES if code != "zzsf-fx"]


@pytest.mark.parametrize("code", GUESSED)
def test_the_abbreviation_is_the_office_s_own_code(code: str) -> None:
    assert derived_prefix(NAMES[code]) == DOC_PREFIXES[code]


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("中共郑州市第三十一中学委员会", "三十一中党委"),
        ("郑州市第三十一中学高二年级党支部", "三十一中高二支"),
        ("郑州市第一〇三中学党总支", "一〇三中总支"),
        ("中共郑州市委教育工作委员会", "郑教工委"),
        ("郑东新区众意路小学党支部", "众意路小学支"),
        ("郑州师范学院附属小学党支部", "郑州师范学院附属小支"),  # cut to 10, keeping the body (支)
        ("党支部", "党支部"),  # nothing left to abbreviate: the name itself
    ],
)
def test_the_abbreviation_is_short_and_names_the_body(name: str, prefix: str) -> None:
    assert derived_prefix(name) == prefix
    assert len(derived_prefix(name)) <= MAX_DERIVED


def test_the_organization_s_own_prefix_wins_and_the_number_is_printed_per_gb_t_9704() -> None:
    assert prefix_of("三十一中党", "中共郑州市第三十一中学委员会") == "三十一中党"
    assert prefix_of("  ", "中共郑州市第三十一中学委员会") == "三十一中党委"
    assert printed_number("三十一中党委", 2026, 7) == "三十一中党委〔2026〕7号"
