"""Capturing an account page in headless Chromium: engine, site profiles, orchestration."""
