"""The public API under /api/v1/: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

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


api = NinjaAPI(
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
