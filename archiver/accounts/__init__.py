"""The register of accounts (S10–S12): the accounts themselves, the public register, login states.

``register`` adds, edits and closes accounts; ``publish`` writes the register as HTML,
CSV or JSON (public, or internal with administrators); ``loginstate`` keeps a
Playwright storage state per account in ``secrets/``. May import ``archiver.home`` and
``archiver.catalogue``; the capture and item stages import this, never the reverse.
"""
