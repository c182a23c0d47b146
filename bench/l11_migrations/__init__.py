"""Representative migrations on the stories table, for the fault suite's L11 only.

``bench/faults_settings.py`` installs this app when ``MASTHEAD_L11_APP=1``
(the L11 scenario's ``migrate`` runs); no server and no production setting
has it. Its migrations see ``stories_story`` as a model of their own (a
state-only ``CreateModel``), so they are real Django operations on the real
table, run by Masthead's ``migrate`` with its lock and statement time-outs
(``masthead/migration_locks.py``):

- 0002 adds a nullable column (a catalogue change on PostgreSQL, no rewrite);
- 0003 adds an index with ``AddIndexConcurrently``;
- 0004 fills the column in batches of 5,000 rows, one transaction each;
- 0005 adds another nullable column: L11 applies it while a long read holds
  the table, and expects it to stop on ``lock_timeout`` with a clear message;
- 0006 rebuilds the table as SQLite does for any column change (NOT NULL, a
  type): the rebuild time L11 records; on PostgreSQL it is not applied.
"""
