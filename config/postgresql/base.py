"""Django's PostgreSQL backend, with a health check that costs no round trip to the server.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` on a kept connection before each
request's first query, so that a connection the server dropped (a restart, a
failover, an idle timeout) is opened again instead of failing the request. That
round trip is a tenth of a short page's time.

A kept connection between requests has nothing pending: it has read every reply.
A server that drops it says so first (a FATAL message) or closes the socket (end
of file); either makes the socket readable. So a connection is usable while
psycopg holds it as good and its socket has nothing to read; anything else (an
unsolicited message as well) gets a new connection. A network that fails
silently is not seen by either check until a query times out.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        # poll(), not select(): a process may hold more than select()'s 1024 descriptors.
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN)
            events = poller.poll(0)
        except (OSError, ValueError):
            return False
        return not events
