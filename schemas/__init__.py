"""Bevara's own XML Schemas (and JSON Schemas), read with importlib.resources so they
work from an installed package: ``resources.files("schemas") / "gallringsprotokoll.xsd"``."""
