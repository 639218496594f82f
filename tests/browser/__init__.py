"""Helpers for the tests that drive Debian's headless Chromium through Playwright."""
