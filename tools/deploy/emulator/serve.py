"""
The AWS emulator for deploy rehearsals: moto's server with this project's workarounds (workarounds.py).

    .venv-emulator/bin/python tools/deploy/emulator/serve.py [--port 0]

Prints `AWS_EMULATOR_READY http://127.0.0.1:<port>` once it accepts connections (port 0: the OS picks a free
one, so concurrent rehearsals never race for a port); stops on SIGTERM / Ctrl-C. Point Terraform and the AWS
SDKs at it with AWS_ENDPOINT_URL=<that URL>, any AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and AWS_REGION
(moto answers for one fixed test account; `aws sts get-caller-identity` against it shows which).
"""

import argparse
import contextlib
import signal
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

import workarounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    workarounds.apply()
    server = make_server(
        args.host,
        args.port,
        DomainDispatcherApplication(create_backend_app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"AWS_EMULATOR_READY http://{args.host}:{server.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
