"""The personal-data registry: every app that keeps a citizen's data takes part in the export, the
erasure and the retention jobs."""

from __future__ import annotations

from minxin.core.jobs import registered_jobs
from minxin.core.personal_data import registered_parts

APPS_WITH_PERSONAL_DATA = {"accounts", "queueing", "cases", "feedback", "appointments", "voting"}


def test_every_app_with_personal_data_registers_its_part() -> None:
    assert {part.app for part in registered_parts()} >= APPS_WITH_PERSONAL_DATA


def test_each_part_has_its_retention_job_and_tickets_lose_their_phone_on_closing() -> None:
    jobs = {job.name for job in registered_jobs()}
    assert {f"{app}.personal_data" for app in APPS_WITH_PERSONAL_DATA} <= jobs
    assert "queueing.forget_phones" in jobs


def test_the_account_is_erased_last_after_every_app_matched_its_rows() -> None:
    assert registered_parts()[-1].app == "accounts"
