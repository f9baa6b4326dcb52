"""Wait estimates from the hall's own history, fed to the pure estimator in `estimates`.

The inputs change slowly (service times over four weeks, the no-show share, the windows' recent mix, the
band's dispersion learned from past tickets), so each is cached for a short while per queue or hall:
issuing a ticket must not scan history.

The wait model behind the range a ticket is shown at issue is stored on the ticket
(`ticket_wait_model_record`); with the wait that follows it teaches the hall how wide its bands should
be (`hall_wait_dispersion`).

Split by seam (the names below are the public ones): `history` (service times, the no-show share),
`capacity` (the hall right now and the windows' shares), `dispersion` (the bands' width),
`wait_models` (the models stored on tickets) and `forecasts` (the waits themselves).
"""

from minxin.queueing.forecasting.capacity import DRAIN_MODEL_TICKETS, _hall_now
from minxin.queueing.forecasting.dispersion import (
    CALLED,
    DISPERSION_MAX_OUTCOMES,
    DISPERSION_TTL_SECONDS,
    hall_wait_dispersion,
)
from minxin.queueing.forecasting.forecasts import (
    LineEstimate,
    issued_estimate,
    queue_estimate,
    queue_forecast,
    service_line_estimates,
    ticket_estimate,
    ticket_forecast,
)
from minxin.queueing.forecasting.history import (
    DEFAULT_NO_SHOW_RATE,
    HISTORY_DAYS,
    MIN_NO_SHOW_SAMPLES,
    PRESENT,
    REMOTE,
    STATS_MEMO_SECONDS,
)
from minxin.queueing.forecasting.wait_models import (
    _PENDING,
    WAIT_MODEL_BATCH,
    WAIT_MODEL_BATCH_SECONDS,
    ticket_wait_model_record,
    wait_models_flush,
)

__all__ = [
    "CALLED",
    "DEFAULT_NO_SHOW_RATE",
    "DISPERSION_MAX_OUTCOMES",
    "DISPERSION_TTL_SECONDS",
    "DRAIN_MODEL_TICKETS",
    "HISTORY_DAYS",
    "MIN_NO_SHOW_SAMPLES",
    "PRESENT",
    "REMOTE",
    "STATS_MEMO_SECONDS",
    "WAIT_MODEL_BATCH",
    "WAIT_MODEL_BATCH_SECONDS",
    "_PENDING",
    "LineEstimate",
    "_hall_now",
    "hall_wait_dispersion",
    "issued_estimate",
    "queue_estimate",
    "queue_forecast",
    "service_line_estimates",
    "ticket_estimate",
    "ticket_forecast",
    "ticket_wait_model_record",
    "wait_models_flush",
]
