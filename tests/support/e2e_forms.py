"""Fill a generated step form in the browser the way a person does: type, choose, tick, add rows."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator


def _control(scope: Locator, name: str) -> Locator:
    return scope.locator(f'[name="{name}"]')


def _fill_scalar(control: Locator, value: Any) -> None:
    kind = control.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if kind.startswith("select"):
        control.first.select_option(value=str(value))
    elif kind == "input:radio":
        control.locator(f'xpath=self::*[@value="{value}"]').check()
    elif kind == "input:checkbox":
        values = {str(v) for v in (value if isinstance(value, list) else [value])}
        for i in range(control.count()):
            box = control.nth(i)
            box.set_checked(box.get_attribute("value") in values)
    else:
        control.first.fill(str(value))


def fill(form: Locator, values: dict[str, Any]) -> None:
    """Fill ``values`` (field name → value; a list of dicts for a list field) into a generated form."""
    for name, value in values.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            fill_rows(form.locator(f'[data-list="{name}"]'), value)
        else:
            _fill_scalar(_control(form, name), value)


def fill_rows(table: Locator, rows: list[dict[str, Any]]) -> None:
    """Fill the rows in order, adding rows with the form's own button and removing extra ones."""
    body_rows = table.locator(":scope > .table-responsive > table > tbody > tr[data-row]")
    while body_rows.count() < len(rows):
        table.locator(":scope > [data-add-row]").click()
    while body_rows.count() > len(rows):
        body_rows.last.locator("[data-remove-row]").click()
    for i, row in enumerate(rows):
        tr = body_rows.nth(i)
        for sub, value in row.items():
            control = tr.locator(f'[name$="-{sub}"]')
            if control.count():
                _fill_scalar(control, value)
