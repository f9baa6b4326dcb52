from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from minxin.accounts.signin import (
    refusal_message,
    staff_sign_in_attempt,
    staff_sign_in_failed,
    staff_sign_in_succeeded,
)
from minxin.core.audit import client_ip
from minxin.core.errors import Throttled


class GuardedSignInMixin:
    """Limits attempts per user name and address and locks an account after repeated failures; the
    message says how long to wait. Used by the staff sign-in page and by /admin/'s."""

    error_messages: Any = {
        "invalid_login": _("The username or password is not right. Try again."),
        "inactive": _("This account is disabled."),
    }

    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # type: ignore[misc, no-any-return]
        ip = client_ip(self.request) if self.request is not None else None
        try:
            staff_sign_in_attempt(username=username, ip=ip)
        except Throttled as refusal:
            raise forms.ValidationError(refusal_message(refusal), code=refusal.code) from None
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except forms.ValidationError as invalid:
            if invalid.code != "invalid_login":
                raise
            try:
                staff_sign_in_failed(username=username, ip=ip)
            except Throttled as refusal:
                raise forms.ValidationError(refusal_message(refusal), code=refusal.code) from None
            raise
        staff_sign_in_succeeded(user=self.get_user())  # type: ignore[attr-defined]
        return cleaned


class StaffLoginForm(GuardedSignInMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class StaffAdminLoginForm(GuardedSignInMixin, AdminAuthenticationForm):
    """/admin/'s sign-in form, with the same limits and lockout as the staff sign-in."""


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a backup code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0000 0000"}
        ),
    )


class CodeForm(forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.CharField(
        label=_("Verification code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )
