"""三重一大 collective decisions as a procedure package: rules, the 纪要 and the 备案报告, the superior's
view of decisions and filings, the upgrade of stored versions 1–2, and demo data."""

from flowengine.procedures.major_decision import demo, documents, legacy, rules, supervision
from flowengine.registry import Procedure

procedure = Procedure(
    name="major_decision",
    title="“三重一大”事项集体决策",
    rules=rules.RULES,
    params=rules.PARAMS,
    composers=documents.COMPOSERS,
    metrics=(supervision.DECISIONS,),
    upgrades=legacy.UPGRADES,
    demo=demo.seed,
)
