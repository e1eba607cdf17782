"""Placeholder: filled in by the archive work."""

urlpatterns: list = []
