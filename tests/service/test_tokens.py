"""Personal API tokens at rest: only a SHA-256 of the token is kept, never the token or its secret part."""

from __future__ import annotations

import hashlib

from sqlalchemy import MetaData, select

from flowengine.service import Services
from tests.support import World


def test_the_raw_token_is_nowhere_in_the_database(services: Services, world: World) -> None:
    created = services.tokens.create(world.users["sec1"], "报表脚本", "203.0.113.7")
    token = created.token
    secret = token.rsplit("_", 1)[
        1
    ]  # fe_<prefix>_<secret>: the prefix is public by design, the secret is not
    assert services.tokens.authenticate(token).user_id == world.users["sec1"]  # last_used_at is written too

    tables = MetaData()
    with services.db.read() as s:
        tables.reflect(bind=s.connection())
        [row] = s.execute(select(tables.tables["api_tokens"])).mappings().all()
        assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
        for column, value in row.items():
            assert token not in str(value) and secret not in str(value), (
                f"api_tokens.{column} holds the token"
            )
        # Nor anywhere else (the audit events of its creation name only the prefix).
        for name, table in tables.tables.items():
            for found in s.execute(select(table)).mappings():
                for column, value in found.items():
                    assert secret not in str(value), f"{name}.{column} holds the token's secret"
