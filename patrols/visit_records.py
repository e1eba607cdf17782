"""The visit record a shop keeps (现场巡查记录, §4): what it shows, as a page and as a PDF.

One context for every output: the page inside the app, the shop's page reached from its public
QR page, and the PDF. It holds the visit, its checklist and findings, the team with their
certificate numbers and the shop's signature or refusal; never a lead or anything about who
reported one, and nothing of any other shop.
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from patrols.models import Visit


def visit_record_context(visit: Visit) -> dict:
    """What the record shows. The visit comes with its patrol and establishment loaded."""
    members = list(visit.patrol.members.select_related("inspector").order_by("pk"))
    return {
        "visit": visit,
        "establishment": visit.establishment,
        "members": members,
        "checklist": visit.checklist,
        "findings": list(visit.finding_set.order_by("pk")),
        "signature_src": _signature_data_url(visit),
    }


def _signature_data_url(visit: Visit) -> str:
    """The signature inline: the page and the PDF carry it without another address to guard."""
    if not visit.shop_signature:
        return ""
    try:
        with visit.shop_signature.open("rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return ""
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


def visit_record_pdf(visit: Visit) -> bytes:
    """The record as a PDF in Chinese, whatever the reader's interface language: the shop's copy."""
    with translation.override("zh-hans"):
        html = render_to_string("patrols/visit_record_pdf.html", visit_record_context(visit))
    return HTML(string=html).write_pdf()


def visit_record_filenames(visit: Visit) -> tuple[str, str]:
    """The download's Chinese name and its ASCII fallback."""
    day = f"{timezone.localtime(visit.visited_at):%Y-%m-%d}"
    return f"现场巡查记录-{visit.establishment.name}-{day}.pdf", f"visit-record-{day}.pdf"
