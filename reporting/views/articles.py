"""Placeholder: filled in by the articles work."""

urlpatterns: list = []
