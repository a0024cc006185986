"""The 发文字号 (GB/T 9704-2012 §7.2.4: 发文机关代字、年份、发文顺序号): ``{代字}〔{year}〕{serial}号``.

The 代字 is the organization's own (``doc_prefix``, set by an administrator, an import or the command line).
When none is set, :func:`derived_prefix` abbreviates the organization's name the way the offices of the
city's schools form theirs (中共郑州市第三十一中学委员会 → 三十一中党委, 郑州市第三十一中学高二年级党支部 →
三十一中高二支, 中共郑州市委教育工作委员会 → 郑教工委), rather than printing the full name:

* the full name is no 代字, and a number such as 郑州市第三十一中学高二年级党支部〔2026〕3号 no longer fits
  the 版头 line beside the 签发人;
* the organization's code (``zz31-high-g2``) means nothing to a reader, and refusing to issue until a 代字
  is set would stop a procedure for an office setting;
* the abbreviation is what the office would most likely choose; the administrator's page shows it as the
  value in force until the office sets its own.
"""

from __future__ import annotations

import re

#: Longest 代字 the fallback produces (the column holds 40 characters; real ones have 2 to 8).
MAX_DERIVED = 10

_NUMERAL = "一二三四五六七八九十〇零百"
_BODY_SUFFIXES = (
    # (pattern at the end of the name, what the 代字 ends with)
    (re.compile(r"(?:党)?总支部?(?:委员会)?$"), "总支"),
    (re.compile(r"(?:党)?支部(?:委员会)?$"), "支"),
    (re.compile(r"工作委员会$"), "工委"),
    (re.compile(r"(?:委员会|党委)$"), "党委"),
)


def derived_prefix(name: str) -> str:
    """An abbreviation of ``name`` fit to stand as a 代字 (see the module's documentation)."""
    text = re.sub(r"\s+", "", name)
    text = re.sub(r"^中国共产党|^中共", "", text)
    suffix = ""
    for pattern, short in _BODY_SUFFIXES:
        m = pattern.search(text)
        if m and m.start() > 0:
            text, suffix = text[: m.start()], short
            break
    # 郑州市委教育… → 郑教…: a city's own committee keeps the first character of the city.
    city_committee = re.match(r"^([\u4e00-\u9fff])[\u4e00-\u9fff]{0,3}?[市省]委", text)
    if city_committee:
        text = city_committee.group(1) + text[city_committee.end() :]
        if suffix == "党委":
            suffix = "委"
    else:  # the place a school is in is the same for all of them: 郑州市…, 郑东新区…
        text = re.sub(r"^[\u4e00-\u9fff]{1,4}?(?:省|市|新区|区|县)(?=.{2,})", "", text)
    text = text.replace("教育", "教")
    text = re.sub(f"第([{_NUMERAL}]+)", r"\1", text)  # 第三十一中学 → 三十一中学, 第一党支部 → 一…
    text = re.sub(r"(?<=[" + _NUMERAL + r"])中学", "中", text)
    text = re.sub(r"(?<=[" + _NUMERAL + r"])小学", "小", text)
    text = text.replace("年级", "").replace("高中部", "高中").replace("专业", "")
    if suffix == "工委":
        text = text.removesuffix("工")
    if not text:
        return name[:MAX_DERIVED]
    return text[: MAX_DERIVED - len(suffix)] + suffix  # the body it names (党委, 支) is never cut off


def prefix_of(doc_prefix: str | None, name: str) -> str:
    """The 代字 in force: the organization's own, else the abbreviation of its name."""
    own = (doc_prefix or "").strip()
    return own or derived_prefix(name)


def printed_number(prefix: str, year: int, serial: int) -> str:
    """三十一中党委〔2026〕12号 (GB/T 9704 §7.2.4: the year in 六角括号, the serial without leading zeros)."""
    return f"{prefix}〔{year}〕{serial}号"


__all__ = ["MAX_DERIVED", "derived_prefix", "prefix_of", "printed_number"]
