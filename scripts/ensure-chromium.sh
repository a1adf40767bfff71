#!/usr/bin/env bash
# Why: the console's end-to-end tests and its paint benchmark drive a real browser through
# playwright-core, which brings no browser of its own (and none can be downloaded here):
# they use Debian's Chromium at /usr/bin/chromium. Installs it with apt-get when missing
# (refreshing the package lists once if the first attempt finds nothing). Prints its path.
set -euo pipefail

say() { echo "[ensure-chromium] $*" >&2; }
bin=/usr/bin/chromium

if [ ! -x "$bin" ]; then
  say "installing Debian's chromium (once)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends chromium >&2; then
    say "install failed; refreshing the package lists and retrying"
    apt-get update >&2
    apt-get install -y --no-install-recommends chromium >&2
  fi
fi
[ -x "$bin" ] || { say "no $bin after install"; exit 1; }
echo "$bin"
