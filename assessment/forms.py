"""Forms of the assessment pages: the sheet editor, an item's score, a sampled inspector's check."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import FULL_MARKS, TIER_METRICS, CriteriaItem, Method

NOTE_MAX_LENGTH = 2000


class SheetTitleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)


class CriteriaItemForm(forms.ModelForm):
    class Meta:
        model = CriteriaItem
        fields = ["position", "title", "standard", "points", "method", "metric"]
        widgets = {
            "standard": forms.Textarea(attrs={"rows": 2}),
            "position": forms.NumberInput(attrs={"style": "width:4rem"}),
        }

    def __init__(self, *args, tier: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = set(TIER_METRICS[tier])
        self.fields["metric"].choices = [("", "—")] + [
            choice for choice in self.fields["metric"].choices if choice[0] in allowed
        ]
        self.fields["method"].choices = Method.choices


CriteriaItemFormSet = forms.modelformset_factory(
    CriteriaItem, form=CriteriaItemForm, extra=2, can_delete=True
)


class ItemScoreForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), max_digits=5, decimal_places=1, min_value=0, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Overall comments"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CheckForm(forms.Form):
    score = forms.DecimalField(
        label=_("Score (0–100)"), max_digits=5, decimal_places=1, min_value=Decimal(0), max_value=FULL_MARKS
    )
    note = forms.CharField(
        label=_("What was checked"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
