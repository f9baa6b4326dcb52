"""The SQL of the audit log's append-only triggers, shared by the migration and the test suite."""

SQLITE_FORWARD = [
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION core_auditentry_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse_change()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_refuse_change()",
]

# Since 0006: a DELETE is allowed for entries older than the latest retention cutoff in core_auditpurge
# (written by core.audit.audit_entries_purge in the same transaction); everything else is still refused.
SQLITE_PURGE_FORWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       WHEN OLD.at >= COALESCE((SELECT MAX(before) FROM core_auditpurge), '0000')
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_PURGE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
    SQLITE_FORWARD[1],
]
POSTGRES_PURGE_FORWARD = [
    """CREATE OR REPLACE FUNCTION core_auditentry_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND OLD.at < (SELECT max(before) FROM core_auditpurge) THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'the audit log is append-only';
       END; $$ LANGUAGE plpgsql""",
]
POSTGRES_PURGE_BACKWARD = [POSTGRES_FORWARD[0]]
