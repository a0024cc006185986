"""The re-election of a Party organization (两请示一报告三批复) as a procedure package: its rules (margin,
sizes, quorum, the count of every round), its six documents, the upgrade of stored version 1, and demo data.
Its YAML is ``workflows/branch_election.yaml``."""

from flowengine.procedures.branch_election import demo, documents, legacy, rules
from flowengine.registry import Procedure

procedure = Procedure(
    name="branch_election",
    title="换届选举（两请示一报告三批复）",
    rules=rules.RULES,
    params=rules.PARAMS,
    composers=documents.COMPOSERS,
    upgrades=legacy.UPGRADES,
    demo=demo.seed,
)
