"""Placeholder: reporting API."""

routes: list = []
