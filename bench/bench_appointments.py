"""Benchmark of the appointments app: forecast accuracy, predicted against simulated waits, booking
throughput over HTTP on PostgreSQL.

1. Forecast: a simulated year-2025 history of one service (weekday-hour profile, the days after and
   before holidays, the tax-filing peak of the 1st–15th; Poisson arrivals) is cut into 8 held-out weeks;
   each is forecast by `appointments.forecast.fit_arrivals` fitted on the 8 weeks before it, and by
   "same hour last week". WAPE of hourly arrivals (goal: ours ≥ 20 % lower).
2. Waits: for the held-out days, `hourly_waits` (a time-stepped M(t)/M/c(t) queue carrying the backlog
   from hour to hour, appointments/waits.py) from the forecast arrivals, against a discrete-event
   simulation of the same days' actual arrivals at the same windows: the hall's planned windows (3 all
   day, where the morning peak builds a backlog) and the suggested staffing. MAE per hour, and the
   peak hour's predicted against simulated wait.
3. Booking throughput: PostgreSQL (a throwaway cluster from scripts/with_postgres.py unless DATABASE_URL
   names one), gunicorn with 4 sync workers, clients POSTing /api/v1/halls/{hall}/appointments with a
   staff token, each for its own phone; beside a calibration (GET /healthz on the same server). Then
   a hot slot: 200 requests for 20 seats at once; exactly 20 must be booked.

    .venv/bin/python bench/bench_appointments.py [--seconds 8] [--clients 8,32] [--skip-http]

Prints the figures against the goals and exits 0 (1 when a correctness check fails).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from appointments_http import http_throughput  # noqa: E402
from appointments_sim import HOURS, SERVICE_MINUTES, arrivals, is_working, simulate_day  # noqa: E402

from minxin.appointments.forecast import (  # noqa: E402 - pure module, no Django needed
    day_kind,
    fit_arrivals,
    hourly_waits,
    wape,
    windows_for_day,
)

GOAL_WAPE_GAIN = 0.20
HOST = "127.0.0.1"


PLANNED_WINDOWS = 3  # the hall's plan: three windows all day (the morning peak outruns them)


def held_out_days(
    seed: int = 2025,
) -> tuple[list[tuple[dt.date, list[float], dict[int, int]]], random.Random]:
    """The working days of 8 held-out weeks: (day, forecast arrivals per hour, actual arrivals per hour),
    each week forecast by the model fitted on the 8 weeks before it; also the naive forecasts' WAPE."""
    rng = random.Random(seed)
    start = dt.date(2025, 1, 6)
    days = [start + dt.timedelta(days=n) for n in range(7 * 44)]
    kinds = {day: day_kind(day, is_working) for day in days}
    counts = arrivals(days, kinds, rng)
    rows = []
    for week in range(36, 44):
        train = days[(week - 8) * 7 : week * 7]
        test = days[week * 7 : (week + 1) * 7]
        model = fit_arrivals({k: v for k, v in counts.items() if k[0] in set(train)}, train, kinds)
        for day in test:
            if kinds[day].working:
                expected = [model.expected(kinds[day], hour) for hour in HOURS]
                actual = {hour: counts.get((day, hour), 0) for hour in HOURS}
                last_week = {hour: counts.get((day - dt.timedelta(days=7), hour), 0) for hour in HOURS}
                rows.append((day, expected, actual | {-hour - 1: last_week[hour] for hour in HOURS}))
    return rows, rng


def forecast_accuracy(seed: int = 2025) -> dict[str, object]:
    rows, rng = held_out_days(seed)
    actual = [float(counts[hour]) for _day, _e, counts in rows for hour in HOURS]
    ours = [value for _day, expected, _c in rows for value in expected]
    naive = [float(counts[-hour - 1]) for _day, _e, counts in rows for hour in HOURS]
    ours_wape, naive_wape = wape(actual, ours), wape(actual, naive)
    return {
        "hours": len(actual),
        "wape_model": ours_wape,
        "wape_same_hour_last_week": naive_wape,
        "wape_gain": 1 - ours_wape / naive_wape,
        "planned": wait_accuracy(rows, rng, planned=True),
        "suggested": wait_accuracy(rows, rng, planned=False),
    }


def wait_accuracy(
    rows: list[tuple[dt.date, list[float], dict[int, int]]], rng: random.Random, *, planned: bool
) -> dict[str, object]:
    """Predicted hourly waits (`hourly_waits`, from the forecast arrivals) against a discrete-event
    simulation of the day's actual arrivals, at the planned windows or at the suggested staffing."""
    predicted: dict[int, list[float]] = {hour: [] for hour in HOURS}
    simulated: dict[int, list[float]] = {hour: [] for hour in HOURS}
    inside = 0
    for _day, expected, counts in rows:
        if planned:
            windows = [PLANNED_WINDOWS] * len(HOURS)
        else:
            windows = windows_for_day(arrivals=expected, service_minutes=SERVICE_MINUTES, target_minutes=15)
            windows = [max(each, 1) for each in windows]
        waits = hourly_waits(arrivals=expected, service_minutes=SERVICE_MINUTES, windows=windows)
        actual = simulate_day(
            {hour: counts[hour] for hour in HOURS}, dict(zip(HOURS, windows, strict=True)), rng
        )
        for hour, wait in zip(HOURS, waits, strict=True):
            predicted[hour].append(wait.minutes)
            simulated[hour].append(actual[hour])
            inside += int(wait.low - 2 <= actual[hour] <= wait.high + 2)
    per_hour = {
        hour: (
            statistics.fmean(predicted[hour]),
            statistics.fmean(simulated[hour]),
            statistics.fmean(abs(p - s) for p, s in zip(predicted[hour], simulated[hour], strict=True)),
        )
        for hour in HOURS
    }
    peak = max(HOURS, key=lambda hour: per_hour[hour][1])
    morning = max((hour for hour in HOURS if hour < 12), key=lambda hour: per_hour[hour][1])
    count = sum(len(values) for values in predicted.values())
    return {
        "per_hour": per_hour,
        "mae": statistics.fmean(mae for _p, _s, mae in per_hour.values()),
        "peak_hour": peak,
        "morning_peak_hour": morning,
        "within_band": inside / count,
    }


def print_waits(label: str, figures: dict[str, object]) -> None:
    per_hour = figures["per_hour"]
    assert isinstance(per_hour, dict)
    peak = figures["peak_hour"]
    assert isinstance(peak, int)
    morning = figures["morning_peak_hour"]
    assert isinstance(morning, int)
    print(
        f"hourly wait, {label}: MAE {figures['mae']:.1f} min over the hours; peak hour {peak}:00 predicted "
        f"{per_hour[peak][0]:.1f} vs simulated {per_hour[peak][1]:.1f} min; morning peak {morning}:00 "
        f"{per_hour[morning][0]:.1f} vs {per_hour[morning][1]:.1f} min; "
        f"{figures['within_band']:.0%} of day-hours inside the band (±2 min)"
    )
    print(
        "  per hour (predicted / simulated / MAE, min): "
        + "  ".join(f"{hour}:00 {p:.0f}/{s:.0f}/{e:.0f}" for hour, (p, s, e) in per_hour.items())
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[8, 32])
    parser.add_argument("--skip-http", action="store_true")
    options = parser.parse_args()
    if not options.skip_http and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        helper = ROOT / "scripts" / "with_postgres.py"
        if (
            subprocess.run(
                [sys.executable, str(helper), "--check"], capture_output=True, check=False
            ).returncode
            == 0
        ):
            os.execv(
                sys.executable, [sys.executable, str(helper), "--", sys.executable, __file__, *sys.argv[1:]]
            )
        print("bench_appointments: no PostgreSQL binaries, HTTP part skipped")
        options.skip_http = True
    print("== forecast (8 held-out weeks of a simulated 2025 history) ==")
    accuracy = forecast_accuracy()
    print(
        f"WAPE hourly arrivals: model {accuracy['wape_model']:.3f}, same hour last week "
        f"{accuracy['wape_same_hour_last_week']:.3f}: {accuracy['wape_gain']:.1%} lower "
        f"(goal ≥ {GOAL_WAPE_GAIN:.0%}: {'met' if accuracy['wape_gain'] >= GOAL_WAPE_GAIN else 'NOT met'})"
    )
    print_waits(f"{PLANNED_WINDOWS} planned windows all day", accuracy["planned"])  # type: ignore[arg-type]
    print_waits("at the suggested staffing", accuracy["suggested"])  # type: ignore[arg-type]
    ok = True
    if not options.skip_http:
        print("== booking over HTTP (PostgreSQL, gunicorn 4 sync workers; machine shared) ==")
        results = http_throughput(options)
        calibration = results["calibration"]
        assert isinstance(calibration, dict)
        print(f"calibration GET /healthz: {calibration['rate']:.0f}/s p50 {calibration['p50_ms']:.1f} ms")
        for clients in options.clients:
            figures = results[f"book_{clients}"]
            assert isinstance(figures, dict)
            print(
                f"book, {clients} clients: {figures['rate']:.0f}/s, p50 {figures['p50_ms']:.1f} ms, "
                f"p99 {figures['p99_ms']:.1f} ms, statuses {figures['statuses']}"
            )
        check = results["check"]
        assert isinstance(check, dict)
        print(f"hot slot, 200 requests for 20 seats: {results['hot_slot_statuses']}; check {check}")
        ok = check["hot_booked"] == 20 and check["hot_bookings"] == 20 and check["overbooked"] == 0
        ok = ok and check["mismatch"] == 0
        print("correctness:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
