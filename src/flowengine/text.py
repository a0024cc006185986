"""What counts as text: the one rule every string from outside (a form, a query string, a JSON body)
must pass before anything reads it.

Refused: control characters other than tab, line feed and carriage return (C0 ``U+0000–U+001F``, ``U+007F``
and C1 ``U+0080–U+009F``), unpaired surrogates (``"\\ud800"`` in JSON: no character at all, which neither
UTF-8, PostgreSQL nor a .docx can hold) and the non-characters ``U+FFFE``/``U+FFFF``. Such a string cannot
go into a database column, a document or a CSV cell as the person meant it, so it is answered with a
message naming the field, and nothing is stored.
"""

from __future__ import annotations

import re

_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def not_text(value: str) -> str | None:
    """Why ``value`` is not text (naming the first offending character), or None when it is."""
    found = _NOT_TEXT.search(value)
    if found is None:
        return None
    char = found.group()
    where = found.start() + 1
    if "\ud800" <= char <= "\udfff":
        return f"第 {where} 个字符是不成对的代理码元（U+{ord(char):04X}），不是有效文字"
    return f"第 {where} 个字符是控制字符（U+{ord(char):04X}），不能输入"


__all__ = ["not_text"]
