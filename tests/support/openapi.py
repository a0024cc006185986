"""Checks an API response against the OpenAPI document the server publishes.

For each (method, path) the test client calls, find the documented operation, then require: the status is
one it documents, the content type is the documented one, and a JSON body validates against the response
schema (JSON Schema 2020-12, with the document's own ``$ref``s resolved). A test that gets an answer the
document does not describe fails here, whatever it asserts itself. ``ApiClient`` is the API tests' client:
it sends one user's bearer token and puts every answer through that check.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from flowengine.web.api.schema import PREFIX, document

ROOT = "urn:flowengine:openapi"


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(PREFIX + path)) + "$")


class ResponseChecker:
    def __init__(self) -> None:
        self.doc = document()
        self.registry: Registry[Any] = Registry().with_resource(
            ROOT, Resource.from_contents(self.doc, default_specification=DRAFT202012)
        )
        self.routes = [(_template(p), p, item) for p, item in self.doc["paths"].items()]
        self.checked = 0

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        path = path.split("?", 1)[0]
        # A literal path segment beats a template (``/instances`` before ``/instances/{id}``).
        matches = sorted((p.count("{"), p, item) for rx, p, item in self.routes if rx.match(path))
        for _, p, item in matches:
            if method.lower() in item:
                return p, item[method.lower()]
        return None

    def validate(self, schema: dict[str, Any], value: Any) -> None:
        validator = Draft202012Validator(schema, registry=self.registry, format_checker=FormatChecker())
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        assert not errors, "response contradicts the OpenAPI document:\n" + "\n".join(
            f"  at {list(e.absolute_path)}: {e.message}" for e in errors[:10]
        )

    def check(self, method: str, path: str, response: Any) -> None:
        found = self.operation(method, path)
        assert found is not None, f"{method} {path} is not described in the OpenAPI document"
        template, op = found
        status = str(response.status_code)
        assert status in op["responses"], (
            f"{method} {template} answered {status}, which the document does not list ({sorted(op['responses'])}): "
            f"{response.get_data(as_text=True)[:300]}"
        )
        content = op["responses"][status].get("content", {})
        mimetype = response.mimetype
        assert mimetype in content, (
            f"{method} {template} {status} answered {mimetype}, documented {list(content)}"
        )
        if mimetype == "application/json":
            schema = content[mimetype]["schema"]
            if "$ref" in schema:
                schema = {"$ref": ROOT + schema["$ref"]}
            self.validate(schema, json.loads(response.get_data(as_text=True)))
        self.checked += 1


class ApiClient:
    """A test client that sends one user's bearer token and checks every answer against the OpenAPI document."""

    def __init__(self, client: Any, token: str | None, checker: ResponseChecker) -> None:
        self.client = client
        self.token = token
        self.checker = checker

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**out, **(extra or {})}

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers(headers)}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        if query is not None:
            kwargs["query_string"] = query
        response = self.client.open(path, method=method, **kwargs)
        self.checker.check(method, path, response)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)


__all__ = ["ApiClient", "ResponseChecker"]
