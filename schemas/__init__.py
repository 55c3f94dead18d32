"""Bevara's own XML schemas, shipped with the product (read with importlib.resources).

Official schemas (METS, E-ARK CSIP/SIP, CITS ERMS, FGS) are not shipped here: the packages
stage loads them from ``package.schema_dir`` in archive.toml, see archiver.packages.schemaset.
"""
