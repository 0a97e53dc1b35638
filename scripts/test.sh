#!/usr/bin/env bash
# The test command (README). Installs what the tests use into .ci/venv (pymilvus 2.5 for the
# REST and gRPC client tests; moto, a real S3 server the S3 tests start on 127.0.0.1), then runs every
# test target. Servers are started and stopped by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.ci/venv
pkgs=("pymilvus==2.5.18" "minio==7.2.20" "azure-storage-blob==12.31.1" "requests==2.34.2"
      "moto[s3]==5.2.5" "flask" "flask-cors" "ml_dtypes==0.7.0")
if ! "$venv/bin/python" -c "import pymilvus.bulk_writer, moto, flask_cors, ml_dtypes" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${pkgs[@]}"
fi
# pymilvus 2.3.7, the seed's client (tests/grpc.rs runs data/book/pymilvus_orm.py with it):
# its own venv, as it pins older protobuf, numpy and pandas (Python 3.11 needs these caps).
venv23=.ci/venv-pymilvus23
if ! "$venv23/bin/python" -c "import pymilvus" 2>/dev/null; then
  t=$SECONDS
  python3 -m venv "$venv23"
  "$venv23/bin/pip" install -q --disable-pip-version-check "pymilvus==2.3.7" "setuptools<70" \
    "protobuf<5" "numpy<2" "pandas<2.2" "marshmallow<3.20"
  echo "== $venv23 built ($((SECONDS - t))s)"
fi
export VECLOAD_PYTHON="$PWD/$venv/bin/python"
export VECLOAD_PYTHON23="$PWD/$venv23/bin/python"
cargo test --locked --all-targets
