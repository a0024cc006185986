"""延期（提前）换届 as a procedure package: the limit on the shift, the 请示 and 批复, the upgrade of stored
version 1, and demo data. Its YAML is ``workflows/election_postponement.yaml``."""

from flowengine.procedures.election_postponement import demo, documents, legacy, rules
from flowengine.registry import Procedure

procedure = Procedure(
    name="election_postponement",
    title="延期（提前）换届申请",
    rules=rules.RULES,
    composers=documents.COMPOSERS,
    upgrades=legacy.UPGRADES,
    demo=demo.seed,
)
