"""Background work: `masthead worker`, its beat of periodic work, task upkeep.

How to run workers, and why these libraries: docs/wire-tasks.md.
"""
