"""Staff sign-in that resists guessing: attempts limited per user name and per address (core.throttle),
and an account locked after STAFF_LOCKOUT_THRESHOLD failures in a row, until STAFF_LOCKOUT_SECONDS pass
or an administrator unlocks it. Counting and locking are conditional updates, so parallel guesses cannot
slip past the threshold."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minxin.accounts import personal
from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import DomainError, Throttled
from minxin.core.throttle import throttle_hit


def wait_hint(seconds: int) -> str:
    """ "Try again in N seconds/minutes." for a wait of `seconds`."""
    if seconds < 120:
        return ngettext("Try again in %(count)d second.", "Try again in %(count)d seconds.", seconds) % {
            "count": seconds
        }
    minutes = (seconds + 59) // 60
    return ngettext("Try again in %(count)d minute.", "Try again in %(count)d minutes.", minutes) % {
        "count": minutes
    }


def refusal_message(failure: DomainError) -> str:
    """A refusal's message; a rate limit or a lock also says how long to wait."""
    wait = int(getattr(failure, "retry_after", 0) or 0)
    if wait <= 0:
        return failure.message
    return f"{failure.message} {wait_hint(wait)}"


class AccountLocked(Throttled):
    """A staff account locked after repeated failed sign-ins."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _("This account is locked after too many failed sign-ins."),
            retry_after=retry_after,
            code="account_locked",
        )


def staff_sign_in_attempt(*, username: str, ip: str | None) -> None:
    """Count one sign-in attempt for `username` from `ip`; raise Throttled past a limit, AccountLocked
    while the account is locked (before the password is even checked)."""
    window = settings.STAFF_SIGN_IN_WINDOW_SECONDS
    if ip:
        throttle_hit(
            scope="staff-sign-in-ip", subject=ip, limit=settings.STAFF_SIGN_INS_PER_IP, period_seconds=window
        )
    throttle_hit(
        scope="staff-sign-in-user",
        subject=personal.keyed_hash(username.strip().lower(), purpose="throttle"),
        limit=settings.STAFF_SIGN_INS_PER_USER,
        period_seconds=window,
    )
    locked_until = User.objects.filter(username=username).values_list("locked_until", flat=True).first()
    now = clock.now()
    if locked_until is not None and locked_until > now:
        raise AccountLocked(retry_after=max(int((locked_until - now).total_seconds()), 1))


def staff_sign_in_failed(*, username: str, ip: str | None) -> None:
    """Record a wrong password for `username`; the failure that reaches the threshold locks the account
    (and raises AccountLocked). Unknown user names have nothing to lock (the throttle covers them)."""
    now = clock.now()
    counted = User.objects.filter(username=username, is_device=False).update(
        failed_sign_ins=F("failed_sign_ins") + 1
    )
    if not counted:
        return
    until = now + dt.timedelta(seconds=settings.STAFF_LOCKOUT_SECONDS)
    with transaction.atomic():
        locked = User.objects.filter(
            username=username, failed_sign_ins__gte=settings.STAFF_LOCKOUT_THRESHOLD
        ).update(failed_sign_ins=0, locked_until=until)
        if locked:
            user = User.objects.get(username=username)
            audit_record(
                actor=None,
                action="staff.locked_out",
                target=user,
                details={"until": until.isoformat(), "ip": ip or ""},
            )
    if locked:
        raise AccountLocked(retry_after=settings.STAFF_LOCKOUT_SECONDS)


def staff_sign_in_succeeded(*, user: User) -> None:
    if user.failed_sign_ins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)


def staff_unlock(*, user: User, actor: User) -> None:
    """An administrator lifts the lock (and the failure count) of `user`; audited."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
        audit_record(actor=actor, action="staff.unlocked", target=user, details={"user": user.username})


__all__ = [
    "AccountLocked",
    "refusal_message",
    "staff_sign_in_attempt",
    "staff_sign_in_failed",
    "staff_sign_in_succeeded",
    "staff_unlock",
    "wait_hint",
]
