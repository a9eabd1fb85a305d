"""Switchboard's local Azure Functions host and the helpers that start local services.

Azure Functions Core Tools cannot be installed where this project is developed,
so `python -m localhost` serves the app's HTTP and timer functions itself.
"""
