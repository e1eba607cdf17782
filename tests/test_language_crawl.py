"""Every page each role can reach speaks one language (SPEC §12): Chinese by default, English on request.

The crawl starts at the home page of a demo-city user of each role (the admin's includes /admin/) and
follows the links of every page. In Chinese it fails on an English word in the visible text, in
English on a Chinese character; what the records hold (names, addresses, descriptions, which the
demo writes in Chinese) and proper names (the language's own name, file formats) are left aside.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from orgs.models import User
from patrols.resources import REQUIRED_COLUMNS

pytestmark = pytest.mark.django_db

# One demo user of each role (the demo prints them).
USERS = (
    "insp-330101001-1",
    "head-330101001",
    "leader-330101001",
    "info-330101001",
    "vol-330101001",
    "dist-330101-1",
    "liaison-330101",
    "city-officer",
    "admin",
)
# Pages of one shape (their path with the numbers taken out) are read at most this often.
PAGES_PER_SHAPE = 2
MAX_PAGES = 400
NOT_PAGES = re.compile(
    r"^/(static|media|api|i18n|sw\.js|manifest)|/logout/|/export|\.(xlsx|pdf|csv|png|jpg)$|/pdf/|/download"
    r"|/photo|/qr|/history/\d+/|/delete/$"
)
# Words that are the same in every language: the language's own name, formats and acronyms.
PROPER = frozenset(
    {"English", "Excel", "xlsx", "PDF", "QR", "API", "ID", "URL", "JSON", "CSV", "SMS", "WeCom", "DingTalk"}
    | {"IP", "HTTP", "GET", "POST", "LDAP", "Control", "Command", "Mac"}
    # The formats and size limit of an article's pictures and video, as the upload form names them.
    | {"JPEG", "PNG", "WebP", "WebM", "MB"}
    # An empty value as the admin's change history shows it.
    | {"None"}
)
# The same in English: the language's own name, and the column names of the registry's Excel
# workbook, which are part of the format the offices exchange (the import names them).
PROPER_CJK = ("简体中文", *REQUIRED_COLUMNS)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
ASCII_COLON = re.compile(r"[\u3400-\u9fff]\s?:(?!//)")
WORD = re.compile(r"[A-Za-z][A-Za-z']+")


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes, the page title and the labels of controls, not scripts."""

    HIDDEN = frozenset({"script", "style", "template"})
    LABELS = ("placeholder", "aria-label", "title", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self.hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and (attrs.get("src") or "").startswith("/static/admin/"):
            return  # Django's admin icons carry English alt texts ("True", "Search") of their own
        self.parts += [attrs[name] for name in self.LABELS if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data)


def records_text() -> list[str]:
    """Every text the records hold (free text, names, JSON, stored codes), longest first: data."""
    found: set[str] = set()
    for model in apps.get_models():
        # The codes a choice stores show raw where history lists old and new values.
        found.update(str(value) for f in model._meta.concrete_fields for value, _label in f.flatchoices)
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
        ]
        for row in model._default_manager.values_list(*fields) if fields else ():
            for value in row:
                found.update(strings_in(value))
    found.update(user.get_full_name() or user.username for user in User.objects.all())
    return sorted((s for s in found if s.strip()), key=len, reverse=True)


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value, *value.splitlines()]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(client: Client, start: str = "/") -> dict[str, str]:
    """Visible text of each page reachable by links from `start`, by path."""
    pages: dict[str, str] = {}
    queue, seen, shapes = [start], {start}, defaultdict(int)
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        pages[path] = "\n".join(parser.parts)
        for href in parser.links:
            link = href.split("#")[0].split("?")[0]
            if not link.startswith("/") or link.startswith("//") or link in seen or NOT_PAGES.search(link):
                continue
            seen.add(link)
            if shapes[shape(link)] < PAGES_PER_SHAPE:
                shapes[shape(link)] += 1
                queue.append(link)
    return pages


def without(text: str, data: list[str]) -> str:
    # A JSON field shown as it is stored (the admin's form of it) is data too.
    text = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(("{", "[")))
    for value in sorted(data, key=len, reverse=True):  # a name inside a longer text goes with it
        if value in text:
            text = text.replace(value, " ")
    return text


def english_words(text: str) -> set[str]:
    # Codes, usernames, licence numbers and e-mail addresses are data: a word joined to digits or symbols.
    tokens = re.split(r"\s+", text)
    plain = " ".join(t for t in tokens if not re.search(r"[\d@_/*]|[A-Za-z]-|-[A-Za-z]", t))
    return {w for w in WORD.findall(plain) if w not in PROPER}


def read_as(username: str, language: str) -> dict[str, str]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    pages = crawl(client)
    if username == "admin":
        pages |= crawl(client, "/admin/")
    return pages


@pytest.mark.parametrize("username", USERS)
def test_every_page_a_role_reaches_is_in_chinese(demo_city, username):
    pages = read_as(username, "zh-hans")
    # Read after the crawl: some pages make their rows when first opened (a default criteria sheet).
    data = [s for s in records_text() if WORD.search(s)]
    assert len(pages) > 5, "the crawl found the pages of the role"
    english = {path: words for path, text in pages.items() if (words := english_words(without(text, data)))}
    assert not english, f"English on Chinese pages of {username}: {english}"
    # One punctuation style: a Chinese label ends with a full-width colon (on the site's own pages;
    # the admin keeps Django's).
    colons = {
        path: found
        for path, text in pages.items()
        if not path.startswith("/admin/") and (found := ASCII_COLON.findall(without(text, data)))
    }
    assert not colons, f"ASCII colons after Chinese labels on pages of {username}: {colons}"


@pytest.mark.parametrize("username", USERS)
def test_every_page_a_role_reaches_is_in_english_when_asked(demo_city, username):
    pages = read_as(username, "en")
    data = [*PROPER_CJK, *(s for s in records_text() if CJK.search(s))]
    assert len(pages) > 5
    chinese = {
        path: found for path, text in pages.items() if (found := set(CJK.findall(without(text, data))))
    }
    assert not chinese, f"Chinese on English pages of {username}: {chinese}"
