"""Test fixture: one throwaway Keystone, set up and served from a single Python process.

Usage: python3 keystone_fixture.py CONF BOOTSTRAP_PASSWORD KEYSTONE_USER KEYSTONE_GROUP SQLITE_FILE

Runs what `keystone-manage db_sync`, `fernet_setup`, `credential_setup` and `bootstrap` run
(keystone.cmd.cli.main, the code behind keystone-manage), in this one process to save the
interpreter start-up and imports of four separate commands, then serves
keystone.server.wsgi.initialize_public_application with wsgiref on 127.0.0.1, port chosen by the
OS, and prints "LISTENING <port>".

The SQLite database is switched to WAL journaling before db_sync (the mode is stored in the
file): Keystone leaves a read transaction open after some GETs (e.g. GET /v3/roles?name=...),
and with SQLite's default rollback journal the next write then fails with "database is
locked" (a 500). Production Keystone uses MySQL/PostgreSQL, where this does not arise. Exits when its standard input closes, so a Keystone never
outlives the JVM that started it.
"""
import os
import sqlite3
import sys
import threading
import wsgiref.simple_server as wss

conf, password, user, group, database = sys.argv[1:6]

with sqlite3.connect(database) as db:
    db.execute("PRAGMA journal_mode=WAL")


def exit_when_parent_goes():
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=exit_when_parent_goes, daemon=True).start()

from keystone.cmd import cli  # noqa: E402
from keystone.common import provider_api  # noqa: E402
import keystone.conf  # noqa: E402

CONF = keystone.conf.CONF
for step in (["db_sync"],
             ["fernet_setup", "--keystone-user", user, "--keystone-group", group],
             ["credential_setup", "--keystone-user", user, "--keystone-group", group],
             ["bootstrap", "--bootstrap-password", password]):
    CONF.reset()
    cli.main(argv=["keystone-manage", "--config-file", conf] + step)
    print("done " + step[0], flush=True)

# Back to a clean configuration and provider registry for the WSGI application.
CONF.reset()
CONF.clear()
CONF.unregister_opt(cli.command_opt)
provider_api.ProviderAPIs._clear_registry_instances()
sys.argv = ["keystone", "--config-file", conf]

from keystone.server.wsgi import initialize_public_application  # noqa: E402



class ClosingServerHandler(wss.ServerHandler):
    """wsgiref closes every connection after one response but answers HTTP/1.0 without saying so;
    an HTTP/1.1 client (Java's HttpClient) then reuses the closed connection and reads EOF.
    Saying "Connection: close" makes it open a new one."""

    def cleanup_headers(self):
        super().cleanup_headers()
        self.headers["Connection"] = "close"


wss.ServerHandler = ClosingServerHandler
server = wss.make_server("127.0.0.1", 0, initialize_public_application())
print("LISTENING %d" % server.server_port, flush=True)
server.serve_forever()
