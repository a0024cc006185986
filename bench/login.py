"""How long a refused sign-in takes, by reason: the answer must not tell which user names exist.

With the production password hashing (Argon2id, RFC 9106 parameters), signs in N times each as: a wrong
password of an existing account, an unknown name, a disabled account (right password), and the right
password; each attempt from its own address, so the throttle never answers first. Prints the median and
the 10th/90th percentiles per reason (milliseconds), and the largest gap between the medians of the
refusals as a share of their mean. Target: gap <= 10 %.

Usage: python bench/login.py [--n 30] [--postgres URL]   (prints JSON)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("FLOWENGINE_TEST_FAST_PASSWORD_HASHING", None)  # measure the real cost

from sqlalchemy import create_engine, text  # noqa: E402

from flowengine.config import Settings  # noqa: E402
from flowengine.service import LoginRefused, open_services  # noqa: E402
from flowengine.service.identity.directory import parse_org_tree  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="flowengine-bench-login-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    schema = None
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with create_engine(args.postgres, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.postgres}?options=-csearch_path%3D{schema}"
    services = open_services(
        Settings(database_url=url, data_dir=workdir, workflows_dir=ROOT / "workflows"), auto_upgrade=True
    )
    services.directory.import_orgs(
        parse_org_tree([{"code": "gw", "name": "中共郑州市委教育工作委员会", "type": "work_committee"}]),
        dt.datetime.now(dt.UTC),
    )
    admin = services.directory.add_user("admin", "管理员", "bench-password-1", [("admin", "gw")])
    gone = services.directory.add_user("gone", "已离岗", "bench-password-1", [("secretary", "gw")])
    services.accounts.set_active(admin, gone, False)
    cases = {
        "wrong_password": ("admin", "not-the-password"),
        "unknown_user": ("nobody-here", "not-the-password"),
        "disabled_user": ("gone", "bench-password-1"),
        "success": ("admin", "bench-password-1"),
    }
    times: dict[str, list[float]] = {k: [] for k in cases}
    for i in range(args.n):
        for reason, (user, password) in cases.items():  # interleaved: drift hits every reason alike
            start = time.perf_counter()
            with contextlib.suppress(LoginRefused):
                services.accounts.authenticate(user, password, f"10.{i // 250}.{i % 250}.{len(reason)}")
            times[reason].append((time.perf_counter() - start) * 1000)
    services.close()
    if schema:
        with create_engine(args.postgres, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    def summary(values: list[float]) -> dict[str, float]:
        q = statistics.quantiles(values, n=10)
        return {
            "median_ms": round(statistics.median(values), 2),
            "p10_ms": round(q[0], 2),
            "p90_ms": round(q[-1], 2),
        }

    refused = [statistics.median(times[k]) for k in ("wrong_password", "unknown_user", "disabled_user")]
    print(
        json.dumps(
            {
                "database": "postgresql" if args.postgres else "sqlite",
                "n": args.n,
                "python": platform.python_version(),
                "reasons": {k: summary(v) for k, v in times.items()},
                "refusal_median_gap_share": round(
                    (max(refused) - min(refused)) / statistics.mean(refused), 3
                ),
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
