"""The city tree the document tests issue from."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import update

from flowengine.persistence.models import Organization
from flowengine.service import Services
from tests.support import Clock
from tests.support.city import Org, build_city, china_noon
from tests.support.paths import SHIPPED_WORKFLOWS


@pytest.fixture
def city(make_services: Callable[..., Services], clock: Clock) -> Org:
    """The city tree; the grade-two branch and its school committee have a 发文字号代字, the others not."""
    clock.now = china_noon("2026-09-21")
    city = build_city(make_services(SHIPPED_WORKFLOWS), clock.now)
    with city.services.db.write() as s:
        for code, prefix in (("g2", "三十一中高二支"), ("zz31", "三十一中党")):
            s.execute(
                update(Organization).where(Organization.id == city.orgs[code]).values(doc_prefix=prefix)
            )
    return city
