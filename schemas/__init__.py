"""Bevara's own schemas (JSON Schema, XSD), shipped as package data.

Code loads them with ``importlib.resources.files("schemas")`` so they are found in an
installed copy as well as in a checkout; this package holds no Python code.
"""
