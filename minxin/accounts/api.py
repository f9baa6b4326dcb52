from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from minxin.accounts.services import citizen_consent_record, otp_request, otp_verify
from minxin.core.audit import client_ip

router = Router(tags=["accounts"])


class OtpRequestIn(Schema):
    phone: str = Field(min_length=11, max_length=20, description="Mainland mobile number")


class OtpRequestOut(Schema):
    sent: bool
    expires_in: int


class OtpVerifyIn(Schema):
    phone: str = Field(min_length=11, max_length=20)
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")
    consent_version: str = Field(
        "",
        max_length=32,
        description="The version of the privacy policy and terms the citizen agreed to in the app "
        "(recorded with the time when it is the current one)",
    )


class CitizenOut(Schema):
    id: str
    phone: str
    consent_required: bool = Field(
        description="The citizen has not agreed to the current privacy policy and terms yet: ask, then "
        "sign in again with consent_version"
    )


@router.post("/citizens/otp", response={202: OtpRequestOut}, summary="Send a sign-in code by SMS")
def otp_request_api(request: HttpRequest, payload: OtpRequestIn) -> Status[OtpRequestOut]:
    challenge = otp_request(phone=payload.phone, ip=client_ip(request))
    expires_in = int((challenge.expires_at - challenge.created_at).total_seconds())
    return Status(202, OtpRequestOut(sent=True, expires_in=expires_in))


@router.post("/citizens/session", response=CitizenOut, summary="Sign in with the code")
def otp_verify_api(request: HttpRequest, payload: OtpVerifyIn) -> CitizenOut:
    citizen = otp_verify(phone=payload.phone, code=payload.code)
    if payload.consent_version and payload.consent_version == settings.CONSENT_VERSION:
        citizen_consent_record(citizen=citizen, version=settings.CONSENT_VERSION)
    request.session.cycle_key()
    request.session["citizen_id"] = citizen.pk
    return CitizenOut(
        id=str(citizen.public_id),
        phone=citizen.phone_masked,
        consent_required=citizen.consent_version != settings.CONSENT_VERSION,
    )
