"""Unit tests for the wait estimator: pure functions, no database."""

from __future__ import annotations

import math

import pytest

from minxin.queueing.estimates import (
    MIN_EFFECTIVE_SERVERS,
    Estimate,
    WaitingTicket,
    WaitModel,
    WaitOutcome,
    drain_shares,
    effective_servers,
    estimate_wait,
    expected_work_seconds,
    forecast_wait,
    gamma_quantile,
    naive_wait_minutes,
    regularized_lower_gamma,
    service_stats,
    wait_band,
    wait_dispersion,
    wait_model,
    window_share,
)

SEVEN_MINUTES = 420.0


def wait(**overrides: float) -> Estimate | None:
    """estimate_wait for a typical B-queue ticket, with the given changes."""
    arguments: dict[str, float] = {
        "ahead_present": 6,
        "ahead_remote": 3,
        "no_show_rate": 0.2,
        "grace_seconds": 60.0,
        "mean_service_seconds": SEVEN_MINUTES,
        "servers": 2.5,
    }
    arguments.update(overrides)
    return estimate_wait(
        ahead_present=int(arguments["ahead_present"]),
        ahead_remote=int(arguments["ahead_remote"]),
        no_show_rate=arguments["no_show_rate"],
        grace_seconds=arguments["grace_seconds"],
        mean_service_seconds=arguments["mean_service_seconds"],
        servers=arguments["servers"],
    )


def erlang_cdf(shape: int, x: float) -> float:
    return 1.0 - sum(math.exp(-x) * x**i / math.factorial(i) for i in range(shape))


# --- the gamma distribution ---------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.5, 1.0, 4.0])
def test_erlang_one_is_exponential(rate: float) -> None:
    assert gamma_quantile(0.1, 1.0) / rate == pytest.approx(-math.log(0.9) / rate, rel=1e-8)
    assert gamma_quantile(0.9, 1.0) / rate == pytest.approx(-math.log(0.1) / rate, rel=1e-8)


def test_erlang_five_median() -> None:
    assert gamma_quantile(0.5, 5.0) == pytest.approx(4.67091, abs=1e-5)


def test_large_shape_median_follows_the_known_approximation() -> None:
    # The gamma median is about k − 1/3 for large k.
    assert gamma_quantile(0.5, 400.0) == pytest.approx(400.0 - 1.0 / 3.0, abs=1e-3)


@pytest.mark.parametrize(("shape", "x"), [(1, 0.3), (3, 2.0), (5, 9.0), (30, 25.0), (30, 40.0), (60, 61.0)])
def test_incomplete_gamma_matches_erlang_cdf_on_both_branches(shape: int, x: float) -> None:
    assert regularized_lower_gamma(float(shape), x) == pytest.approx(erlang_cdf(shape, x), abs=1e-12)


@pytest.mark.parametrize("shape", [0.3, 1.0, 2.4, 17.0, 49.0])
@pytest.mark.parametrize("probability", [0.1, 0.5, 0.9])
def test_quantile_inverts_the_distribution_function(shape: float, probability: float) -> None:
    assert regularized_lower_gamma(shape, gamma_quantile(probability, shape)) == pytest.approx(
        probability, abs=1e-7
    )


def _quantile_by_bisection(probability: float, shape: float) -> float:
    low, high = 0.0, 2.0 * shape + 100.0
    for _ in range(200):
        middle = (low + high) / 2.0
        low, high = (middle, high) if regularized_lower_gamma(shape, middle) < probability else (low, middle)
    return (low + high) / 2.0


@pytest.mark.parametrize("shape", [50.0, 250.0, 5000.0])
@pytest.mark.parametrize("probability", [0.1, 0.9])
def test_long_lines_take_the_closed_form_within_five_in_a_hundred_thousand(
    shape: float, probability: float
) -> None:
    exact = _quantile_by_bisection(probability, shape)
    assert gamma_quantile(probability, shape) == pytest.approx(exact, rel=5e-5)


# --- estimate_wait ------------------------------------------------------------------------------------


def test_a_lone_ticket_at_one_window_gets_the_exponential_band() -> None:
    estimate = estimate_wait(
        ahead_present=0,
        ahead_remote=0,
        no_show_rate=0.0,
        grace_seconds=60.0,
        mean_service_seconds=600.0,
        servers=1.0,
    )
    # Erlang(1): mean 10 min, 10 % at 10·ln(10/9) = 1.05, 90 % at 10·ln 10 = 23.03.
    assert estimate == Estimate(minutes=10, low=1, high=23)  # ends rounded to the nearest minute


def test_estimate_grows_with_every_ticket_ahead() -> None:
    present = [wait(ahead_present=n) for n in range(0, 40)]
    remote = [wait(ahead_remote=n) for n in range(0, 40)]
    for series in (present, remote):
        assert all(estimate is not None for estimate in series)
        minutes = [estimate.minutes for estimate in series if estimate is not None]
        highs = [estimate.high for estimate in series if estimate is not None]
        assert minutes == sorted(minutes)
        assert highs == sorted(highs)
        assert minutes[-1] > minutes[0]


def test_no_open_window_means_no_estimate_not_infinity() -> None:
    assert wait(servers=0.0) is None


def test_no_service_history_means_no_estimate() -> None:
    assert wait(mean_service_seconds=0.0) is None


def test_no_show_correction_lowers_the_estimate_when_grace_is_shorter_than_a_service() -> None:
    corrected = wait(ahead_present=2, ahead_remote=12, no_show_rate=0.2, grace_seconds=60.0)
    uncorrected = wait(ahead_present=2, ahead_remote=12, no_show_rate=0.0, grace_seconds=60.0)
    assert corrected is not None
    assert uncorrected is not None
    assert corrected.minutes < uncorrected.minutes


def test_no_show_correction_changes_nothing_without_remote_tickets_ahead() -> None:
    assert wait(ahead_remote=0, no_show_rate=0.3) == wait(ahead_remote=0, no_show_rate=0.0)


@pytest.mark.parametrize("ahead", [0, 1, 2, 5, 13, 40, 150])
@pytest.mark.parametrize("servers", [0.3, 1.0, 2.7, 7.0])
@pytest.mark.parametrize("dispersion", [0.5, 1.0, 2.0])
def test_band_contains_the_point_estimate(ahead: int, servers: float, dispersion: float) -> None:
    estimate = estimate_wait(
        ahead_present=ahead,
        ahead_remote=ahead // 3,
        no_show_rate=0.2,
        grace_seconds=60.0,
        mean_service_seconds=SEVEN_MINUTES,
        servers=servers,
        dispersion=dispersion,
    )
    assert estimate is not None
    assert estimate.low <= estimate.minutes <= estimate.high


def test_ticket_is_called_at_once_when_a_window_is_free_and_nobody_is_ahead() -> None:
    arguments = {"ahead_remote": 0, "no_show_rate": 0.2, "grace_seconds": 60.0, "servers": 2.0}
    free = estimate_wait(ahead_present=0, mean_service_seconds=SEVEN_MINUTES, free_windows=1, **arguments)
    busy = estimate_wait(ahead_present=0, mean_service_seconds=SEVEN_MINUTES, free_windows=0, **arguments)
    assert free == Estimate(minutes=0, low=0, high=0)
    assert busy is not None
    assert busy.minutes > 0


def test_free_window_does_not_help_a_ticket_with_people_ahead() -> None:
    arguments = {"ahead_remote": 0, "no_show_rate": 0.2, "grace_seconds": 60.0, "servers": 2.0}
    free = estimate_wait(ahead_present=3, mean_service_seconds=SEVEN_MINUTES, free_windows=1, **arguments)
    busy = estimate_wait(ahead_present=3, mean_service_seconds=SEVEN_MINUTES, free_windows=0, **arguments)
    assert free == busy


def test_smaller_dispersion_narrows_the_band_and_keeps_the_point() -> None:
    arguments = {
        "ahead_present": 10,
        "ahead_remote": 0,
        "no_show_rate": 0.0,
        "grace_seconds": 60.0,
        "mean_service_seconds": SEVEN_MINUTES,
        "servers": 1.0,
    }
    textbook = estimate_wait(**arguments)
    steadier = estimate_wait(dispersion=0.5, **arguments)
    assert textbook is not None
    assert steadier is not None
    assert steadier.minutes == textbook.minutes
    assert textbook.low < steadier.low
    assert steadier.high < textbook.high


def test_a_forecast_carries_the_model_behind_its_range() -> None:
    arguments = {
        "ahead_present": 6,
        "ahead_remote": 3,
        "no_show_rate": 0.2,
        "grace_seconds": 60.0,
        "mean_service_seconds": SEVEN_MINUTES,
        "servers": 2.5,
    }
    forecast = forecast_wait(free_windows=1, dispersion=0.7, **arguments)
    assert forecast is not None
    assert forecast.estimate == estimate_wait(free_windows=1, dispersion=0.7, **arguments)
    assert forecast.model == wait_model(**arguments)
    assert forecast.model is not None
    assert forecast.model.shape == pytest.approx(1 + 6 + 3 * (0.8 + 0.2 * 60.0 / SEVEN_MINUTES))


def test_called_at_once_shows_no_range_so_the_forecast_has_no_model() -> None:
    arguments = {"ahead_remote": 0, "no_show_rate": 0.2, "grace_seconds": 60.0, "servers": 2.0}
    forecast = forecast_wait(ahead_present=1, mean_service_seconds=SEVEN_MINUTES, free_windows=2, **arguments)
    assert forecast is not None
    assert forecast.estimate == Estimate(minutes=0, low=0, high=0)
    assert forecast.model is None
    closed = forecast_wait(
        ahead_present=1, mean_service_seconds=SEVEN_MINUTES, **(arguments | {"servers": 0.0})
    )
    assert closed is None


def test_wait_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="ahead"):
        wait(ahead_present=-1)
    with pytest.raises(ValueError, match="no_show_rate"):
        wait(no_show_rate=1.5)


# --- service_stats ------------------------------------------------------------------------------------


def history(hour_samples: list[float]) -> dict[int, list[float]]:
    """Ten hours of 300 s services, 200 each, plus hour 15 with the given samples."""
    samples = {hour: [300.0] * 200 for hour in range(9, 15)}
    samples[15] = hour_samples
    return samples


def test_an_hour_with_one_sample_stays_near_the_overall_mean() -> None:
    stats = service_stats(history([600.0]), 15)
    assert stats.samples == 1
    assert stats.mean_seconds == pytest.approx(300.0, rel=0.05)


def test_an_hour_with_500_samples_stays_near_its_own_mean() -> None:
    stats = service_stats(history([600.0] * 500), 15)
    assert stats.samples == 500
    assert stats.mean_seconds == pytest.approx(600.0, rel=0.05)


def test_shrinkage_is_the_credibility_weighted_mean() -> None:
    samples = {9: [100.0] * 20, 10: [300.0] * 20}
    # Overall mean 200; hour 9 has 20 samples against prior weight 20: halfway.
    assert service_stats(samples, 9).mean_seconds == pytest.approx(150.0)
    assert service_stats(samples, 9, prior_weight=0.0).mean_seconds == pytest.approx(100.0)


def test_an_hour_without_samples_gets_the_overall_mean() -> None:
    stats = service_stats({9: [100.0, 300.0]}, 16)
    assert stats.mean_seconds == pytest.approx(200.0)
    assert stats.samples == 0


def test_no_history_at_all_gives_no_mean() -> None:
    assert service_stats({}, 9).mean_seconds == 0.0


# --- servers and shares -------------------------------------------------------------------------------


def test_windows_count_by_their_share() -> None:
    assert effective_servers([1.0, 1.0, 1 / 3, 1 / 3, 1 / 3]) == pytest.approx(3.0)


def test_no_open_window_is_zero_servers() -> None:
    assert effective_servers([]) == 0.0


def test_an_open_window_is_never_zero_servers() -> None:
    assert effective_servers([0.0]) == MIN_EFFECTIVE_SERVERS


def test_shares_are_clamped() -> None:
    assert effective_servers([1.7, -0.2]) == pytest.approx(1.0)


def test_window_share_starts_even_and_follows_the_work() -> None:
    assert window_share(seconds_on_queue=0.0, seconds_busy=0.0, queues_served=3) == pytest.approx(1 / 3)
    busy_on_other_queues = window_share(seconds_on_queue=0.0, seconds_busy=3600.0, queues_served=2)
    busy_on_this_queue = window_share(seconds_on_queue=3600.0, seconds_busy=3600.0, queues_served=2)
    assert busy_on_other_queues < 0.2
    assert busy_on_this_queue > 0.8


def tickets(*issued: float, work: float = 300.0) -> list[WaitingTicket]:
    return [WaitingTicket(issued=when, work_seconds=work) for when in issued]


def test_drain_gives_a_dedicated_window_all_of_itself() -> None:
    shares = drain_shares(
        queue="A", waiting={"A": tickets(1, 2, 3)}, profiles=[("A",), ("A",)], own_work_seconds=300.0
    )
    assert shares == pytest.approx([1.0, 1.0])


def test_drain_gives_a_shared_window_fully_when_its_other_queue_is_empty() -> None:
    shares = drain_shares(
        queue="A", waiting={"A": tickets(1, 2), "B": []}, profiles=[("A", "B")], own_work_seconds=300.0
    )
    assert shares == pytest.approx([1.0])


def test_drain_lets_older_tickets_of_the_other_queue_go_first() -> None:
    # Window 0 serves A and B; B's ticket is older, so the window spends 600 s on it, then 300 + 300 s
    # on A's ticket and on the new ticket's "+1": half of the horizon on A.
    shares = drain_shares(
        queue="A",
        waiting={"A": tickets(5), "B": tickets(1, work=600.0)},
        profiles=[("A", "B"), ("C",)],
        own_work_seconds=300.0,
    )
    assert shares == pytest.approx([0.5])


def test_drain_counts_every_ticket_waiting_anywhere_as_older_than_the_new_one() -> None:
    # One window for A and B: the new A ticket waits for A's two tickets, B's three and the "+1": its
    # queue gets 900 of 1800 s, so the estimate is the whole backlog, 30 minutes.
    shares = drain_shares(
        queue="A",
        waiting={"A": tickets(1, 2), "B": tickets(3, 4, 5)},
        profiles=[("A", "B")],
        own_work_seconds=300.0,
    )
    assert shares == pytest.approx([0.5])
    estimate = estimate_wait(
        ahead_present=2,
        ahead_remote=0,
        no_show_rate=0.0,
        grace_seconds=60.0,
        mean_service_seconds=300.0,
        servers=effective_servers(shares),
    )
    assert estimate is not None
    assert estimate.minutes == 30


def test_drain_without_a_window_for_the_queue_is_empty() -> None:
    assert drain_shares(queue="A", waiting={"A": tickets(1)}, profiles=[("B",)], own_work_seconds=300.0) == []


def test_a_remote_ticket_is_expected_to_take_less_work() -> None:
    arguments = {"no_show_rate": 0.2, "grace_seconds": 60.0, "mean_service_seconds": 600.0}
    assert expected_work_seconds(remote=False, **arguments) == 600.0
    assert expected_work_seconds(remote=True, **arguments) == pytest.approx(0.8 * 600.0 + 0.2 * 60.0)


# --- dispersion ---------------------------------------------------------------------------------------


def outcomes(actual: float, count: int = 300) -> list[WaitOutcome]:
    # Shape 4 and mean 8 min: the model's standard deviation is 8 / √4 = 4 min.
    return [WaitOutcome(model=WaitModel(shape=4.0, mean_minutes=8.0), actual_minutes=actual)] * count


def test_dispersion_is_one_when_waits_spread_as_the_model_says() -> None:
    assert wait_dispersion(outcomes(12.0)[:150] + outcomes(4.0)[:150]) == pytest.approx(1.0)


def test_dispersion_is_textbook_until_enough_tickets_are_seen() -> None:
    assert wait_dispersion(outcomes(30.0, count=10)) == 1.0


def test_dispersion_is_clamped() -> None:
    assert wait_dispersion(outcomes(8.0)) == 0.25
    assert wait_dispersion(outcomes(80.0)) == 4.0


def test_band_quantiles_scale_with_the_mean() -> None:
    low, high = wait_band(WaitModel(shape=1.0, mean_minutes=10.0))
    assert low == pytest.approx(-10.0 * math.log(0.9))
    assert high == pytest.approx(10.0 * math.log(10.0))


# --- the baseline ---------------------------------------------------------------------------------------


def test_naive_counts_everyone_and_every_window_fully() -> None:
    assert naive_wait_minutes(ahead=10, mean_service_seconds=SEVEN_MINUTES, windows=2) == pytest.approx(35.0)
