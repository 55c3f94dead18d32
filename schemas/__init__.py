"""Bevara's own schemas (JSON Schema and XSD), shipped with the product as package data.

Code loads them with ``importlib.resources.files("schemas")`` so they are found in an
installed copy as well as in a checkout; this package holds no Python code. Official
schemas (METS, E-ARK CSIP/SIP, CITS ERMS, FGS) are not shipped here: the packages stage
loads them from ``package.schema_dir`` in archive.toml, see archiver.packages.schemaset.
"""
