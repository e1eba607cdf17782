"""The visit record a shop keeps (现场巡查记录): shown, printed, signed on the phone or marked refused.

Inside the app the record is scoped like its visit (Visit.objects.visible_to); only the patrol team
signs or marks it, while the patrol record can still be changed (patrols.services.records).
"""

from __future__ import annotations

import math

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from config.downloads import PDF, attachment
from patrols.models import REFUSAL_REASON_MAX_LENGTH, SIGNER_NAME_MAX_LENGTH, Visit
from patrols.photos import SIGNATURE_MAX_BYTES
from patrols.services import records as services
from patrols.visit_records import visit_record_context, visit_record_filenames, visit_record_pdf

# A canvas's PNG as a data URL ("data:image/png;base64," and the base64 of at most
# SIGNATURE_MAX_BYTES): anything longer is refused before it is decoded.
SIGNATURE_FIELD_MAX_CHARS = len("data:image/png;base64,") + 4 * math.ceil(SIGNATURE_MAX_BYTES / 3)


class SignForm(forms.Form):
    signer_name = forms.CharField(
        label=gettext_lazy("Name of the person signing"), max_length=SIGNER_NAME_MAX_LENGTH
    )
    signature = forms.CharField(
        widget=forms.HiddenInput,
        max_length=SIGNATURE_FIELD_MAX_CHARS,
        error_messages={
            "required": gettext_lazy("Sign in the box before saving."),
            "max_length": gettext_lazy("The signature image is larger than 200 KB."),
        },
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for refusing to sign"),
        max_length=REFUSAL_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _visit_for(request, pk: int) -> Visit:
    records = Visit.objects.visible_to(request.user).select_related("patrol__community", "establishment")
    return get_object_or_404(records, pk=pk)


def _record_page(request, visit: Visit, sign_form=None, refuse_form=None, status: int = 200):
    context = visit_record_context(visit)
    # What refused the whole operation (the record no longer open, say) shows whether or not the forms do.
    context["errors"] = [e for form in (sign_form, refuse_form) if form for e in form.non_field_errors()]
    if services.may_mark_shop_record(request.user, visit):
        context["sign_form"] = sign_form or SignForm(
            initial={"signer_name": visit.establishment.legal_representative}
        )
        context["refuse_form"] = refuse_form or RefuseForm()
    return render(request, "patrols/visit_record.html", context, status=status)


@login_required
def visit_record(request, pk: int):
    """The record as the shop gets it, printable, with the signing pad for the team."""
    return _record_page(request, _visit_for(request, pk))


@login_required
def visit_record_download(request, pk: int):
    visit = _visit_for(request, pk)
    name, ascii_name = visit_record_filenames(visit)
    return attachment(visit_record_pdf(visit), PDF, name, ascii_name)


def _show_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


@login_required
@require_POST
def visit_sign(request, pk: int):
    """The shop's responsible person signs with a finger; the name is typed, the time is the server's."""
    visit = _visit_for(request, pk)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            image = services.signature_from_data_url(form.cleaned_data["signature"])
            services.visit_shop_sign(
                user=request.user, visit=visit, signer_name=form.cleaned_data["signer_name"], signature=image
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The shop's signature is kept on the visit record."))
            return redirect("patrols:visit_record", pk=visit.pk)
    return _record_page(request, visit, sign_form=form, status=400)


@login_required
@require_POST
def visit_refuse(request, pk: int):
    """The shop refused to sign: the team says why, and the record says so."""
    visit = _visit_for(request, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.visit_shop_refuse(user=request.user, visit=visit, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The visit record is marked as refused by the shop."))
            return redirect("patrols:visit_record", pk=visit.pk)
    return _record_page(request, visit, refuse_form=form, status=400)


urlpatterns = [
    path("visits/<int:pk>/record/", visit_record, name="visit_record"),
    path("visits/<int:pk>/record.pdf", visit_record_download, name="visit_record_pdf"),
    path("visits/<int:pk>/sign/", visit_sign, name="visit_sign"),
    path("visits/<int:pk>/refuse/", visit_refuse, name="visit_refuse"),
]
