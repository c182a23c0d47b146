"""The outlet itself: its desks (services), its authors, and who answers for what."""
