"""Packages for the e-archive and the diarium, and a validator for anyone's packages.

Delivery packages follow FGS Paketstruktur 2.0 (E-ARK CSIP 2.1.0 + SIP 2.1.0) with CITS ERMS
and PREMIS inside, or FGS 1.2 (``sip.xml`` + FGS Ärendehantering 1.0) for e-archives still on
1.x; registration packages carry single items to the diarium. One module per format (mets,
erms, fgs12, premis), plus the builders, the archive-file writer and the validator.

May import everything below it (retention, capture, items, pdf, accounts, home, catalogue);
only the CLI and the demo import it.
"""
