"""An installed wheel finds its templates and static files (``web/`` is shipped as flowengine/_data/web)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

PROBE = """
from flowengine.web import create_app
from flowengine.config import Settings, shipped_dir
from flowengine.service import open_services
import flowengine, pathlib, sys
d = pathlib.Path(sys.argv[1])
services = open_services(Settings(f"sqlite:///{d / 'db.sqlite3'}", d, shipped_dir("workflows")), auto_upgrade=True)
app = create_app(services, config={"SECRET_KEY": "probe"})
client = app.test_client()
page = client.get("/login")
css = client.get("/static/vendor/bootstrap/bootstrap.min.css")
mermaid = client.get("/static/vendor/mermaid/mermaid.min.js")
print(flowengine.__file__)
print(app.template_folder)
print(page.status_code, "登录" in page.get_data(as_text=True), css.status_code, mermaid.status_code)
"""


def test_installed_wheel_serves_templates_and_vendored_assets(tmp_path: Path) -> None:
    # Without hatchling in the environment pip fetches it into an isolated build environment.
    offline = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path / "dist"),
            *offline,
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    [wheel] = (tmp_path / "dist").glob("flowengine-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "flowengine/_data/web/templates/base.html",
        "flowengine/_data/web/static/js/app.js",
        "flowengine/_data/web/static/vendor/mermaid/mermaid.min.js",
        "flowengine/_data/web/static/vendor/bootstrap/LICENSE",
    ):
        assert shipped in names, shipped
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    data = tmp_path / "data"
    data.mkdir()
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(data)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
    )
    assert probe.returncode == 0, probe.stderr
    module, templates, result = probe.stdout.strip().splitlines()
    assert module.startswith(str(target))
    assert templates == str(target / "flowengine" / "_data" / "web" / "templates")
    assert result == "200 True 200 200"
