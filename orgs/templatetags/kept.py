"""`{% keep %}…{% endkeep %}`: a piece of a template rendered once per process and language.

For the parts of every page that depend on nothing but the language: the links to static
files and to fixed pages, and fixed labels. Reversing those URLs and resolving those files
on every request cost a fifth of a small page's time. The piece must not show anything
of the user, the request or the data: whatever the first render shows, every user sees.
"""

from __future__ import annotations

from django import template
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        # Per (language, URL prefix). The node lives as long as its compiled template: with
        # DEBUG on, templates are compiled anew for each render, and nothing is kept.
        self.rendered: dict[tuple[str, str], SafeString] = {}

    def render(self, context) -> SafeString:
        key = (get_language(), get_script_prefix())
        text = self.rendered.get(key)
        if text is None:
            text = self.rendered[key] = self.nodelist.render(context)
        return text


@register.tag
def keep(parser, token) -> KeptNode:
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeptNode(nodelist)
