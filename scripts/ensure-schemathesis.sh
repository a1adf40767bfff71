#!/usr/bin/env bash
# Why: the API contract suite (test/fuzz) fuzzes the served OpenAPI document with
# schemathesis, a Python tool from PyPI. It lives in its own virtual environment under
# .cache/ (git-ignored), pinned to one version so a new release never changes what CI
# finds. Installs it once; afterwards this only checks the pinned version is there
# (well under a second). Prints the path of the `schemathesis` executable.
#
# Env: PACER_PYTHON (default python3) — the interpreter the environment is made from.
set -euo pipefail

VERSION=4.32.5
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.cache/schemathesis-venv"
BIN="$VENV/bin/schemathesis"
STAMP="$VENV/.pacer-schemathesis-$VERSION"

say() { echo "[ensure-schemathesis] $*" >&2; }

if [[ -f "$STAMP" && -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

PYTHON="${PACER_PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || { say "FAILED: no $PYTHON on PATH"; exit 1; }
say "installing schemathesis $VERSION into .cache/schemathesis-venv (once)"
# A half-made environment from an interrupted run is thrown away rather than repaired.
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
"$BIN" --version >&2
touch "$STAMP"
echo "$BIN"
