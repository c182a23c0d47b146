"""The news API: public reads, ninjs output and staff writes, on django-ninja."""
