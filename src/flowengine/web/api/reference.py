"""The API reference as one server-rendered page, made from the OpenAPI document (no script, no CDN).

Lists every endpoint with its parameters, body, answers and the schemas they name, so a script author
can read the API in a browser; ``/api/v1/openapi.json`` is the same thing for tools.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup, escape

_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{color:#b71c1c}h2{border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:2rem}
.op{border:1px solid #e0e0e0;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:3.5rem;font-weight:bold;color:#fff;border-radius:4px;text-align:center;
   padding:0 .4rem;margin-right:.5rem}.get{background:#1565c0}.post{background:#2e7d32}
code,pre{background:#f6f6f6;border-radius:4px}pre{padding:.5rem;overflow:auto;font-size:.85rem}
table{border-collapse:collapse}td,th{border:1px solid #e0e0e0;padding:.2rem .5rem;text-align:left;font-size:.9rem}
"""


def _text(text: str) -> Markup:
    """Escaped prose, with `backticked` words set as code."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else json.dumps(schema, ensure_ascii=False)


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    parts = [
        f'<div class="op" id="{escape(op["operationId"])}"><p><span class="m {method}">{method.upper()}</span>'
        f"<code>{escape(path)}</code> — {_text(op['summary'])}</p>"
    ]
    if op.get("security") == []:
        parts.append("<p><em>No token needed.</em></p>")
    if op.get("parameters"):
        rows = "".join(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
            f"<td><code>{escape(json.dumps(p['schema'], ensure_ascii=False))}</code></td>"
            f"<td>{_text(p.get('description', ''))}</td></tr>"
            for p in op["parameters"]
        )
        parts.append(f"<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>{rows}</table>")
    if "requestBody" in op:
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        parts.append(
            f'<p>Body: <a href="#schema-{escape(_schema_name(schema))}">{escape(_schema_name(schema))}</a></p>'
        )
    answers = []
    for status, r in op["responses"].items():
        content = r.get("content", {})
        kinds = ", ".join(
            f"{escape(k)} {escape(_schema_name(v.get('schema', {})))}" for k, v in content.items()
        )
        answers.append(
            f"<li><strong>{escape(status)}</strong> {_text(r['description'])} <small>{kinds}</small></li>"
        )
    parts.append(f"<ul>{''.join(answers)}</ul></div>")
    return "".join(parts)


def render(doc: dict[str, Any]) -> str:
    info = doc["info"]
    base = doc["servers"][0]["url"]
    ops = [
        _operation(base + path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
    ]
    schemas = [
        f'<h3 id="schema-{escape(name)}">{escape(name)}</h3>'
        f"<pre>{escape(json.dumps(s, ensure_ascii=False, indent=2))}</pre>"
        for name, s in doc["components"]["schemas"].items()
    ]
    page = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(info["title"])}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(info['title'])} v{escape(info['version'])}</h1>"
        f"<p>{_text(info['description'])}</p>"
        f'<p>Machine-readable: <a href="{escape(base)}/openapi.json">{escape(base)}/openapi.json</a> (OpenAPI '
        f"{escape(doc['openapi'])}).</p><h2>Endpoints</h2>{''.join(ops)}<h2>Schemas</h2>{''.join(schemas)}"
        "</body></html>"
    )
    return str(Markup(page))


__all__ = ["render"]
