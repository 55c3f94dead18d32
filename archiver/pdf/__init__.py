"""Everything that writes or checks a PDF: the two PDF/A records, their XMP, text layer and OCR.

``model`` holds the plain values the records are built from (page images with text
boxes, the record's metadata); ``pdfa`` builds and validates the visual and print
records; ``xmp`` the metadata packet; ``textlayer`` and ``type3fonts`` the invisible
text; ``ocr`` reads text off raster-only images; ``schema_fastpath`` speeds pikepdf's
validator up without changing its verdicts. Pure functions of files: may import
``archiver.errors`` and ``archiver.home.files``, never the catalogue or a session.
"""
