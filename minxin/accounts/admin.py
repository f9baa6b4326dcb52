from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.accounts.forms import StaffAdminLoginForm
from minxin.accounts.models import ApiToken, Citizen, User
from minxin.accounts.services import api_token_create, api_token_revoke
from minxin.accounts.signin import staff_unlock
from minxin.accounts.twofactor import second_factor_reset

# /admin/'s own sign-in page limits guesses and locks accounts as the staff page does; its second step
# (TOTP) is SecondFactorMiddleware's, which holds every page of an unverified session.
admin.site.login_form = StaffAdminLoginForm


@admin.register(User)
class StaffUserAdmin(UserAdmin[User]):
    list_display = [
        "username",
        "display_name",
        "is_active",
        "is_staff",
        "is_device",
        "last_login",
        "locked_until",
    ]
    list_filter = ["is_active", "is_staff", "is_device"]
    search_fields = ["username", "display_name"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            gettext_lazy("minxin"),
            {"fields": ("display_name", "phone_masked", "is_device", "failed_sign_ins", "locked_until")},
        ),
    )
    readonly_fields = ["phone_masked", "failed_sign_ins", "locked_until"]
    actions = ["unlock", "reset_second_factor"]

    @admin.action(description=gettext_lazy("Unlock the selected accounts"))
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        assert isinstance(request.user, User)
        for user in queryset:
            staff_unlock(user=user, actor=request.user)
        messages.success(request, _("Unlocked %(count)d accounts.") % {"count": len(queryset)})

    @admin.action(description=gettext_lazy("Remove the authenticator and backup codes (lost phone)"))
    def reset_second_factor(self, request: HttpRequest, queryset: Any) -> None:
        assert isinstance(request.user, User)
        for user in queryset:
            second_factor_reset(user=user, actor=request.user)
        messages.success(
            request, _("The selected accounts set up a new authenticator at their next sign-in.")
        )


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin[Citizen]):
    """Masked values only; the full number is revealed through an audited service, not here."""

    list_display = ["phone_masked", "id_number_masked", "created_at", "last_sign_in_at"]
    fields = ("public_id", "phone_masked", "id_number_masked", "created_at", "last_sign_in_at")
    readonly_fields = ("public_id", "phone_masked", "id_number_masked", "created_at", "last_sign_in_at")
    search_fields = ["phone_masked"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["user", "name", "expires_at", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return list(self.readonly_fields) + (["user", "name", "expires_at"] if obj else [])

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        issued = api_token_create(user=obj.user, name=obj.name, expires_at=obj.expires_at)
        obj.pk = issued.token.pk
        obj.prefix, obj.created_at, obj.token_hash = (
            issued.token.prefix,
            issued.token.created_at,
            issued.token.token_hash,
        )
        messages.warning(
            request,
            _("The token is shown only this once; store it now: %(secret)s") % {"secret": issued.secret},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        assert isinstance(request.user, User)
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
