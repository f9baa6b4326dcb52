"""The public API under /api/v1/: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from minxin.accounts.api import router as accounts_router
from minxin.appointments.api import router as appointments_router
from minxin.cases.api import router as cases_router
from minxin.catalog.api import router as catalog_router
from minxin.competition.api import router as competition_router
from minxin.core.api import install_error_handlers
from minxin.feedback.api import router as feedback_router
from minxin.insights.api import router as insights_router
from minxin.orgs.api import router as orgs_router
from minxin.queueing.api import router as queueing_router
from minxin.voting.api import router as voting_router
from minxin.watch.api import router as watch_router


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON without backslash-u escapes: Chinese stays readable and responses a third smaller."""

    json_dumps_params = {"ensure_ascii": False}


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}
# What any operation may answer besides its own responses, always in the one error shape.
ERROR_RESPONSES = {
    400: "The request cannot be read (a body that is not JSON, nested too deeply).",
    401: "Authentication is required.",
    403: "Not allowed for this caller or outside their scope.",
    404: "Nothing at this address, or nothing this caller may see.",
    409: "In conflict with the current state (already done, full, closed).",
    413: "The request is too large.",
    422: "A field is invalid; `details.field` names it.",
    429: "Too many requests; `Retry-After` says when to try again.",
    503: "The database is busy or unavailable; `Retry-After` says when to try again.",
}


class MinxinAPI(NinjaAPI):
    """The API, whose OpenAPI document declares the error answers every operation may give."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", ERROR_SCHEMA)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return schema


api = MinxinAPI(
    renderer=ChineseJSONRenderer(),
    title="minxin API",
    version="1",
    description=(
        "Service halls, the service catalog, queues and citizens' services. Errors always have the shape "
        '`{"error": {"code": "...", "message": "...", "details": {...}}}`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/", orgs_router)
api.add_router("/", catalog_router)
api.add_router("/", accounts_router)
api.add_router("/", queueing_router)
api.add_router("/", voting_router)
api.add_router("/", watch_router)
api.add_router("/", appointments_router)
api.add_router("/", cases_router)
api.add_router("/", feedback_router)
api.add_router("/", competition_router)
api.add_router("/", insights_router)
