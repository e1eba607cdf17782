"""Ledger downloads (台账): choose a ledger, a unit the user may see and a period; get the Excel file."""

from __future__ import annotations

import datetime as dt
import tempfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import bounds
from config.downloads import XLSX, attachment
from reporting import periods
from reporting.ledgers import LEDGERS, MAX_YEARS, ledger_by_key, ledger_filenames, write_ledger
from reporting.views.archive import _archive_units, _chosen_unit


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class LedgerForm(forms.Form):
    """The ledger and its period; the unit is chosen as on the archive (a unit out of scope is a 404)."""

    ledger = forms.ChoiceField(label=gettext_lazy("Ledger"))
    first = forms.DateField(label=gettext_lazy("From"), validators=[bounds.validate_past_day])
    last = forms.DateField(label=gettext_lazy("To"), validators=[bounds.validate_past_day])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ledger"].choices = [(ledger.key, ledger.label) for ledger in LEDGERS]
        for name in ("first", "last"):
            self.fields[name].widget = forms.DateInput(
                format="%Y-%m-%d",
                attrs={
                    "type": "date",
                    "min": f"{bounds.EARLIEST_DAY:%Y-%m-%d}",
                    "max": f"{timezone.localdate():%Y-%m-%d}",
                },
            )

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise ValidationError({"last": _("The last day comes before the first.")})
            if last >= years_after(first, MAX_YEARS):
                raise ValidationError(
                    {
                        "last": _("A ledger covers at most %(years)d years; choose a shorter period.")
                        % {"years": MAX_YEARS}
                    }
                )
        return data


def _default_period() -> dict:
    month = periods.previous_period(timezone.localdate())
    return {"first": month, "last": periods.period_last_day(month), "ledger": LEDGERS[0].key}


def _page(request, form: LedgerForm, units, unit, *, status: int = 200):
    return render(
        request, "reporting/ledgers.html", {"form": form, "units": units, "unit": unit}, status=status
    )


@login_required
def ledgers(request):
    """The form: a ledger, a unit (the user's own or one below it) and a period."""
    if not request.user.can_view_registry:
        raise PermissionDenied
    units = _archive_units(request.user)
    unit = _chosen_unit(request, units)
    return _page(request, LedgerForm(initial=_default_period()), units, unit)


@login_required
def ledger_download(request):
    """The ledger as an .xlsx, streamed from a temporary file; a bad period shows the form again."""
    if not request.user.can_view_registry:
        raise PermissionDenied
    units = _archive_units(request.user)
    unit = _chosen_unit(request, units)
    form = LedgerForm(request.GET)
    if not form.is_valid():
        return _page(request, form, units, unit, status=400)
    ledger = ledger_by_key(form.cleaned_data["ledger"])
    first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    content = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    try:
        write_ledger(content, ledger, user=request.user, unit=unit, first=first, last=last)
    except BaseException:
        content.close()
        raise
    content.seek(0)
    name, ascii_name = ledger_filenames(ledger, unit, first, last)
    return attachment(content, XLSX, name, ascii_name)


urlpatterns = [
    path("ledgers/", ledgers, name="ledgers"),
    path("ledgers/download/", ledger_download, name="ledger_download"),
]
