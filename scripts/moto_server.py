"""A moto S3 server on 127.0.0.1 for vecload's tests (tests/util.rs starts it).

Listens on a free port and prints it once ready; stops when its standard input closes,
so it never outlives the test process that started it.
Usage: python scripts/moto_server.py   (from a venv with moto[s3]==5.2.5, flask, flask-cors)
"""

import sys

from moto.server import ThreadedMotoServer


def main():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
