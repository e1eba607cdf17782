"""The public face (§11): an establishment's page for anyone who scans its QR code, and its lead form.

The page's address carries the establishment's id signed with the site's key,
so nobody can walk through the registry by counting ids.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import segno
from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.signing import BadSignature, Signer
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from config.downloads import PDF, attachment
from orgs.decorators import capability_required
from orgs.security import client_ip
from patrols.models import LEAD_REWARD_YUAN, Establishment, LeadSource, PatrolStatus, Visit
from patrols.models.establishments import phone_validator
from patrols.services.leads import lead_report
from patrols.views.leads import DESCRIPTION_MAX_LENGTH
from patrols.visit_records import visit_record_context, visit_record_filenames, visit_record_pdf

TOKEN_SALT = "public-establishment"
# A visit record's address on the shop's page: the visit's phone-made id, signed with the site's key.
RECORD_TOKEN_SALT = "public-visit-record"

# A client address may send this many public leads per window; more gets HTTP 429.
PUBLIC_LEADS_PER_WINDOW = 5
PUBLIC_LEAD_WINDOW = dt.timedelta(hours=1)
# A client address may download this many visit-record PDFs per window (each costs the server about a
# second of rendering); more gets HTTP 429.
PUBLIC_PDFS_PER_WINDOW = 20

QR_SCALE = 8
QR_BORDER = 4


class PublicLeadForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("What did you see?"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reporter_name = forms.CharField(label=gettext_lazy("Your name (optional)"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=gettext_lazy("Your phone (optional)"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def public_token(establishment: Establishment) -> str:
    return Signer(salt=TOKEN_SALT).sign(str(establishment.pk))


def _establishment_for(token: str) -> Establishment:
    try:
        pk = int(Signer(salt=TOKEN_SALT).unsign(token))
    except (BadSignature, ValueError):
        raise Http404 from None
    return get_object_or_404(Establishment.objects.select_related("community"), pk=pk)


def public_record_token(visit: Visit) -> str:
    return Signer(salt=RECORD_TOKEN_SALT).sign(visit.client_id.hex)


def _shop_record_for(token: str, record_token: str) -> Visit:
    """A visit record of the shop named by `token`, while the shop may still reach it; else 404.

    Both tokens must be good and the record the shop's own: a record token taken to another
    shop's page finds nothing.
    """
    establishment = _establishment_for(token)
    try:
        client_id = uuid.UUID(hex=Signer(salt=RECORD_TOKEN_SALT).unsign(record_token))
    except (BadSignature, ValueError):
        raise Http404 from None
    records = Visit.objects.shown_to_shop(establishment, on=timezone.localdate()).select_related(
        "patrol__community", "establishment"
    )
    return get_object_or_404(records, client_id=client_id)


def _public_url(request: HttpRequest, establishment: Establishment) -> str:
    return request.build_absolute_uri(
        reverse("patrols:public_establishment", args=[public_token(establishment)])
    )


def _over_limit(request: HttpRequest, kind: str = "lead", limit: int = PUBLIC_LEADS_PER_WINDOW) -> bool:
    """Count this request against the client's address; true once it is over the limit."""
    key = f"public-{kind}:{client_ip(request)}"
    window = int(PUBLIC_LEAD_WINDOW.total_seconds())
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the count expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


@require_http_methods(["GET", "POST"])
def public_establishment(request, token: str):
    """Name, licence, grade and last patrol of an establishment, and a form to report a problem."""
    establishment = _establishment_for(token)
    form = PublicLeadForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            messages.error(
                request, _("Too many reports have been sent from your network. Please try again later.")
            )
            form, status = PublicLeadForm(initial=request.POST.dict()), 429
        elif form.is_valid():
            lead_report(
                community=establishment.community,
                establishment=establishment,
                description=form.cleaned_data["description"],
                source=LeadSource.PUBLIC,
                reporter_name=form.cleaned_data["reporter_name"],
                reporter_phone=form.cleaned_data["reporter_phone"],
            )
            messages.success(
                request, _("Thank you. Your report has been sent to the district food and drug office.")
            )
            return redirect(request.path)
    last_visit = (
        Visit.objects.filter(establishment=establishment, patrol__status=PatrolStatus.ARCHIVED)
        .order_by("-visited_at")
        .first()
    )
    records = Visit.objects.shown_to_shop(establishment, on=timezone.localdate()).order_by("-visited_at")
    response = render(
        request,
        "public/establishment.html",
        {
            "establishment": establishment,
            "token": token,
            "records": [(visit, public_record_token(visit)) for visit in records],
            "last_visit": last_visit,
            "form": form,
            "reward_amount": LEAD_REWARD_YUAN,
        },
        status=status,
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def public_visit_record(request, token: str, record: str):
    """The shop's copy of a visit record, for VISIT_RECORD_PUBLIC_DAYS after the visit."""
    visit = _shop_record_for(token, record)
    context = {**visit_record_context(visit), "token": token, "record_token": record}
    response = render(request, "public/visit_record.html", context)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def public_visit_record_pdf(request, token: str, record: str):
    visit = _shop_record_for(token, record)
    if _over_limit(request, "record-pdf", PUBLIC_PDFS_PER_WINDOW):
        return HttpResponse(
            _("Too many downloads from your network. Please try again later."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    name, ascii_name = visit_record_filenames(visit)
    response = attachment(visit_record_pdf(visit), PDF, name, ascii_name)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def public_establishment_qr(request, token: str):
    return _qr_svg(_public_url(request, _establishment_for(token)))


@capability_required("can_view_registry")
def establishment_qr(request, pk: int):
    """The public page's QR code, for the establishment's page inside the app."""
    establishment = get_object_or_404(Establishment.objects.visible_to(request.user), pk=pk)
    return _qr_svg(_public_url(request, establishment))


@capability_required("can_view_registry")
def establishment_poster(request, pk: int):
    """A printable sheet with the QR code that the establishment posts at its door."""
    establishment = get_object_or_404(Establishment.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "public/poster.html",
        {"establishment": establishment, "public_url": _public_url(request, establishment)},
    )


def _qr_svg(url: str) -> HttpResponse:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=QR_SCALE, border=QR_BORDER)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


urlpatterns = [
    path("p/<str:token>/", public_establishment, name="public_establishment"),
    path("p/<str:token>/qr.svg", public_establishment_qr, name="public_establishment_qr"),
    path("p/<str:token>/records/<str:record>/", public_visit_record, name="public_visit_record"),
    path(
        "p/<str:token>/records/<str:record>/record.pdf",
        public_visit_record_pdf,
        name="public_visit_record_pdf",
    ),
    path("establishments/<int:pk>/qr.svg", establishment_qr, name="establishment_qr"),
    path("establishments/<int:pk>/poster/", establishment_poster, name="establishment_poster"),
]
