#!/usr/bin/env python3
"""An SMTP sink for Keyway's e-mail delivery on loopback (aiosmtpd): records every message it takes.

    smtp_sink.py --log FILE --port-file FILE [--port N] [--cert PEM --key PEM] [--login USER --password-file FILE]
                 [--refuse CODE] [--only-login] [--silent] [--until-stdin-closes]

With --cert and --key it offers STARTTLS and refuses mail before it; with --login it requires AUTH (over TLS).
--refuse CODE answers DATA with that code (451: try later; 554: refused), to see a sender retry.
--only-login offers AUTH LOGIN alone (not PLAIN). --silent accepts connections and never answers (a hung relay).
Each message is appended to --log as one JSON line: {"from", "to", "tls", "login", "subject", "body", "headers"}.
The port it listens on is written to --port-file (--port 0: any free port). --until-stdin-closes: exit when standard
input reaches its end, so a sink started by `keyway serve --demo` ends with it, even one killed outright.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

import sink_lifetime  # Demo/, beside this script


class Sink:
    def __init__(self, log: str, refuse: int):
        self.log = log
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return f"{self.refuse} refused by the test sink"
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "login": session.auth_data,
            "subject": str(message["Subject"]),
            "body": message.get_content(),
            "headers": {key: str(value) for key, value in message.items()},
        }
        with open(self.log, "a") as log:
            log.write(json.dumps(record) + "\n")
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--login")
    parser.add_argument("--password-file")
    parser.add_argument("--refuse", type=int, default=0)
    parser.add_argument("--only-login", action="store_true")
    parser.add_argument("--silent", action="store_true")
    sink_lifetime.add_arguments(parser)
    options = parser.parse_args()
    sink_lifetime.follow(options)

    context = None
    if options.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert, options.key)
    password = open(options.password_file).read().strip() if options.password_file else None

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == options.login \
            and auth_data.password.decode() == password
        return AuthResult(success=ok, auth_data=auth_data.login.decode() if ok else None)

    sink = Sink(options.log, options.refuse)

    def factory():
        if options.silent:
            return asyncio.Protocol()
        return SMTP(sink, hostname="sink.localhost", tls_context=context, require_starttls=context is not None,
                    authenticator=authenticate if options.login else None, auth_required=bool(options.login),
                    auth_require_tls=True, auth_exclude_mechanism=["PLAIN"] if options.only_login else None)

    async def serve():
        server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", options.port)
        port = server.sockets[0].getsockname()[1]
        with open(options.port_file + ".tmp", "w") as file:
            file.write(str(port))
        os.replace(options.port_file + ".tmp", options.port_file)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
