"""The wire desk: agency and partner copy in, and the importers.

``items`` is what every parser hands over (one ``WireCopy`` per item),
``models`` what is kept (sources, items and their versions, the stories built
on them), ``services`` the only place that changes them.
"""
