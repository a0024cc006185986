"""Organization types and organization-wide roles: the fixed words definitions are written in.

Definitions refer to these by name; the Chinese titles are what the UI shows. Adding a role here is a
deliberate act (it changes what every definition may say), so they live in code, not in YAML.
"""

from __future__ import annotations

from flowengine.definitions.loader import Vocabulary

ORG_TYPES: dict[str, str] = {
    "work_committee": "党委（工委）",
    "committee": "基层党委",
    "general_branch": "党总支",
    "branch": "党支部",
}

ROLES: dict[str, str] = {
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "committee_member": "委员",
    "handler": "承办人",
    "leader": "分管领导",
    "auditor": "纪检/巡察",
    "admin": "系统管理员",
}


def vocabulary() -> Vocabulary:
    """The names a definition may use, including every registered check, predicate and effect."""
    from flowengine.engine.machine import known_effect_names, known_rule_names

    checks, predicates = known_rule_names()
    return Vocabulary(
        roles=ROLES, checks=checks, predicates=predicates, org_types=ORG_TYPES, effects=known_effect_names()
    )
