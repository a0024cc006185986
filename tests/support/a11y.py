"""The accessibility check of the browser tests: axe-core, run inside the page under test.

axe-core is vendored (``tests/support/vendor/axe-core``, from the npm registry, MPL-2.0) so nothing is fetched
when the tests run; the app never serves it.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.support.paths import ROOT

AXE = ROOT / "tests" / "support" / "vendor" / "axe-core" / "axe.min.js"
#: The impacts a page must not have (axe's scale: minor, moderate, serious, critical).
BLOCKING = ("serious", "critical")


def axe_violations(page: Page, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """axe-core's violations of the page as it is now, of the given impacts (WCAG 2.1 A/AA and best practice)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the app's Content-Security-Policy forbids inline scripts, and the
        # check must run on the page exactly as it is served.
        page.evaluate(f"(() => {{ {AXE.read_text(encoding='utf-8')}\n; return typeof window.axe; }})()")
    result = page.evaluate(
        """async () => {
             const r = await window.axe.run(document, {
               runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
               resultTypes: ['violations'],
             });
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + n.failureSummary)}));
           }"""
    )
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable line per violation and node, for an assertion message."""
    return "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations
    )
