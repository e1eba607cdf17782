"""Activity articles (信息稿件, §6): the list, writing one, and the district forwarding it to the city."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from config.pagination import paginate
from orgs.models import OrgUnit, OrgUnitKind
from patrols.forms import MultipleFileInput, MultiplePhotoField
from reporting import periods, services
from reporting.models import ARTICLE_PICTURES_MAX, Article, ArticleMedia, MediaKind

PAGE_SIZE = 30
TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
BODY_MAX_LENGTH = 20000


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX_LENGTH)
    activity_ended_on = forms.DateField(
        label=gettext_lazy("The activity ended on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("What was done, where, who took part, and what came of it."),
    )

    pictures = MultiplePhotoField(
        label=gettext_lazy("Pictures"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
        help_text=gettext_lazy("Up to 9 photos (JPEG, PNG or WebP, 10 MB each)."),
    )
    video = forms.FileField(
        label=gettext_lazy("Video"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
        help_text=gettext_lazy("One short video, MP4 or WebM, up to 20 MB."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity_ended_on"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m-%d}"


def due_rule() -> str:
    """The deadline rule in words, from settings.ARTICLE_DUE_DAYS."""
    days = settings.ARTICLE_DUE_DAYS
    if days == 0:
        return _("An article is due by the end of the day the activity ends.")
    if days == 1:
        return _("An article is due the day after the activity ends (by midnight).")
    return _("An article is due within %(days)d days after the activity ends (by midnight).") % {"days": days}


def _require_reader(user) -> None:
    if not user.can_view_registry:
        raise PermissionDenied


def _filter_articles(request, articles):
    """Apply the month, community and late filters of the list page; returns the rows and the choices."""
    period = periods.parse_period(request.GET.get("month", ""))
    if period is not None:
        articles = articles.in_period(period)
    community = request.GET.get("community", "")
    if community.isdigit():
        articles = articles.filter(community_id=int(community))
    late = request.GET.get("late") == "1"
    if late:
        articles = articles.filter(late=True)
    return articles, {"month": period, "community": community, "late": late}


@login_required
def article_list(request):
    user = request.user
    _require_reader(user)
    articles = Article.objects.visible_to(user).select_related("community", "author")
    articles, filters = _filter_articles(request, articles)
    communities: list[OrgUnit] = []
    if user.is_superuser or user.tier != OrgUnitKind.COMMUNITY:
        communities = list(OrgUnit.objects.visible_to(user).communities().order_by("path"))
    return render(
        request,
        "reporting/article_list.html",
        {
            **paginate(request, articles, PAGE_SIZE),
            **filters,
            "communities": communities,
            "can_write": services.can_write_article(user),
            "due_rule": due_rule(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request):
    """Write an article; it is filed at once, and marked late if past its deadline."""
    if not services.can_write_article(request.user):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_submit(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            _say_if_late(request, article)
            return redirect("reporting:article", pk=article.pk)
    return render(request, "reporting/article_form.html", {"form": form, "due_rule": due_rule()})


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ArticleMediaForm(forms.Form):
    pictures = ArticleForm.base_fields["pictures"]
    video = ArticleForm.base_fields["video"]


def _say_if_late(request, article: Article) -> None:
    due = f"{periods.article_due_date(article.activity_ended_on):%Y-%m-%d}"
    if article.late:
        messages.warning(
            request, _("Article filed. It was due by %(due)s and is marked late.") % {"due": due}
        )
    else:
        messages.success(request, _("Article filed on time (due by %(due)s).") % {"due": due})


@login_required
def article_detail(request, pk: int, media_form: forms.Form | None = None):
    article = get_object_or_404(
        Article.objects.visible_to(request.user)
        .select_related("community", "author", "forwarded_by")
        .prefetch_related("media"),
        pk=pk,
    )
    return render(
        request,
        "reporting/article_detail.html",
        {
            "article": article,
            "due_on": periods.article_due_date(article.activity_ended_on),
            "can_forward": article.forwarded_at is None
            and services.can_review(request.user, article.community),
            "report_month": _month_text(article.activity_ended_on),
            "pictures": [item for item in article.media.all() if item.kind == MediaKind.PICTURE],
            "videos": [item for item in article.media.all() if item.kind == MediaKind.VIDEO],
            "can_change_media": services.can_change_media(request.user, article),
            "media_form": media_form or ArticleMediaForm(),
            "pictures_max": ARTICLE_PICTURES_MAX,
        },
        status=400 if media_form is not None else 200,
    )


def _month_text(day: dt.date) -> str:
    return f"{periods.period_of(day):%Y-%m}"


@login_required
@require_POST
def article_forward(request, pk: int):
    """The district office passes the article on to the city bureau."""
    article = get_object_or_404(Article.objects.visible_to(request.user).select_related("community"), pk=pk)
    try:
        services.article_forward(user=request.user, article=article)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The article was forwarded to the city."))
    return redirect("reporting:article", pk=article.pk)


@login_required
@require_POST
def article_media_add(request, pk: int):
    """Add pictures or the video to an article; a refused file is said on the article's page."""
    article = get_object_or_404(Article.objects.visible_to(request.user), pk=pk)
    if not services.can_change_media(request.user, article):
        raise PermissionDenied
    form = ArticleMediaForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.article_media_add(user=request.user, article=article, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("reporting:article", pk=article.pk)
    return article_detail(request, pk, media_form=form)


@login_required
@require_POST
def article_media_remove(request, pk: int):
    media = get_object_or_404(ArticleMedia.objects.visible_to(request.user), pk=pk)
    services.article_media_remove(user=request.user, media=media)
    messages.success(request, _("Removed."))
    return redirect("reporting:article", pk=media.article_id)


@login_required
def article_media_file(request, pk: int):
    """A picture or video of an article, only for those who may see the article; never from storage."""
    media = get_object_or_404(ArticleMedia.objects.visible_to(request.user), pk=pk)
    try:
        handle = media.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=media.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("articles/", article_list, name="article_list"),
    path("articles/new/", article_new, name="article_new"),
    path("articles/<int:pk>/", article_detail, name="article"),
    path("articles/<int:pk>/forward/", article_forward, name="article_forward"),
    path("articles/<int:pk>/media/", article_media_add, name="article_media_add"),
    path("articles/media/<int:pk>/", article_media_file, name="article_media_file"),
    path("articles/media/<int:pk>/remove/", article_media_remove, name="article_media_remove"),
]
