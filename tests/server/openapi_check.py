"""Check real requests and answers against the server's OpenAPI document (jsonschema 2020-12)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from sync_server.openapi import openapi_document


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator whose ``#/components/...`` references resolve inside the document."""
    document = openapi_document()
    root = {"allOf": [schema], "components": document["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _query_value(schema: dict[str, Any], raw: str) -> Any:
    """Query values arrive as text; integers are compared as numbers."""
    if schema.get("type") == "integer" and raw.lstrip("-").isdigit():
        return int(raw)
    return raw


@dataclass
class Operation:
    """One documented operation: its parameters, body and answers."""

    path: str
    method: str
    spec: dict[str, Any]

    def check_request(self, query: dict[str, str], body: Any) -> list[str]:
        """Problems of a request that the document says is valid, or ``[]``."""
        problems = []
        for parameter in self.query_parameters():
            name = parameter["name"]
            if name not in query:
                if parameter.get("required"):
                    problems.append(f"missing query {name}")
                continue
            value = _query_value(parameter["schema"], query[name])
            problems += [e.message for e in _validator(parameter["schema"]).iter_errors(value)]
        known = {p["name"] for p in self.query_parameters()}
        problems += [f"undocumented query {name}" for name in query if name not in known]
        request_body = self.spec.get("requestBody")
        if request_body is not None:
            schema = request_body["content"]["application/json"]["schema"]
            problems += [e.message for e in _validator(schema).iter_errors(body)]
        return problems

    def query_parameters(self) -> list[dict[str, Any]]:
        """The documented query parameters (path parameters are part of the path)."""
        return [p for p in self.spec.get("parameters", []) if p.get("in", "query") == "query"]

    def path_parameters(self) -> list[dict[str, Any]]:
        """The documented path parameters (``{name}`` in the path)."""
        return [p for p in self.spec.get("parameters", []) if p.get("in") == "path"]

    def matches(self, path: str) -> bool:
        """True when ``path`` is this operation's path with its parameters filled in."""
        pattern = re.escape(self.path)
        for parameter in self.path_parameters():
            pattern = pattern.replace(re.escape("{" + parameter["name"] + "}"), "[^/]+")
        return re.fullmatch(pattern, path) is not None

    def check_response(self, status: int, content_type: str, body: Any) -> list[str]:
        """Problems of an answer against the document (``[]`` when it matches)."""
        answer = self.spec["responses"].get(str(status))
        if answer is None:
            return [f"undocumented status {status} for {self.method.upper()} {self.path}"]
        content = answer.get("content", {})
        if content_type not in content:
            return [f"undocumented content type {content_type} for status {status}"]
        if content_type != "application/json":
            return []
        schema = content[content_type]["schema"]
        return [e.message for e in _validator(schema).iter_errors(body)]


def operations() -> dict[tuple[str, str], Operation]:
    """Every operation of the document by ``(METHOD, path)``."""
    out = {}
    for path, item in openapi_document()["paths"].items():
        for method, spec in item.items():
            out[(method.upper(), path)] = Operation(path, method, spec)
    return out


def find_operation(method: str, path: str) -> Operation | None:
    """The operation serving ``method path`` (a path with its parameters filled in)."""
    found = operations().get((method, path))
    if found is not None:
        return found
    for (verb, _template), operation in operations().items():
        if verb == method and operation.matches(path):
            return operation
    return None


@dataclass
class CheckingClient:
    """Wraps the aiohttp test client: every call is checked against the document."""

    client: Any
    problems: list[str] = field(default_factory=list)
    calls: list[tuple[str, str, int]] = field(default_factory=list)

    async def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None, request_valid: bool = True,
    ) -> tuple[int, Any]:  # fmt: skip
        """Make a call; record any mismatch with the document. Returns status and body."""
        operation = find_operation(method, path)
        if operation is None:
            self.problems.append(f"undocumented route {method} {path}")
            return 0, None
        if request_valid:
            for problem in operation.check_request(params or {}, json):
                self.problems.append(f"{method} {path} request: {problem}")
        response = await self.client.request(
            method, path, json=json, params=params, headers=headers or {}
        )
        body: Any = (
            await response.json()
            if response.content_type == "application/json"
            else await response.read()
        )
        for problem in operation.check_response(response.status, response.content_type, body):
            self.problems.append(f"{method} {path} -> {response.status}: {problem}")
        self.calls.append((method, path, response.status))
        return response.status, body
