"""Moving a WordPress site onto Masthead: ``masthead import wordpress EXPORT.xml``.

``reader`` streams the export (WXR) as records, ``content`` turns WordPress
text into body HTML, ``uploads`` reads featured images from a local copy of
the uploads folder only, ``importer`` stores posts as stories and ``report``
says what happened to each. The operator's guide is docs/wire-wordpress.md.
"""
