"""发展党员 as a procedure package: a request about one person, from the written application to 转正.

Its YAML is ``workflows/member_recruitment.yaml``; the rules (with the articles of the 2014 细则 they
enforce), the four documents (公示, 接收预备党员的决议, the 批复 of admission and of 转正), the supervision
board (pipeline, overdue talks and approvals, 预备期 ended without a decision, plan vs actual) and demo
people at every stage are here.
"""

from flowengine.procedures.member_recruitment import demo, documents, rules, supervision
from flowengine.registry import Procedure

procedure = Procedure(
    name="member_recruitment",
    title="发展党员",
    rules=rules.RULES,
    params=rules.PARAMS,
    composers=documents.COMPOSERS,
    metrics=(supervision.RECRUITMENT,),
    demo=demo.seed,
)
