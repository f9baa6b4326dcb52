"""minxin's PostgreSQL database backend (ENGINE "minxin.core.postgresql"): Django's, with a health check
that costs no round trip for a connection in steady use (base.py)."""
