#!/usr/bin/env bash
# Why: Pacer's own processes (npm start, npm run api, npm run worker, the processes
# `npm run cluster -- --with-pacer` starts, bench:memory's worker) run node through this, so
# that they all run with the C allocator settings the worker's memory target needs. glibc
# reads them only when a process starts, so they cannot be set from JavaScript.
#
# The worker's native side (the SDK's Rust core on its own threads, V8's worker thread,
# libuv's pool) frees much of what it allocates, but with glibc's defaults that memory stayed
# in the process: under bench:memory, 10,000 tickets and a cache of 2,000, the C allocator held
# 489 MiB of RSS while heaptrack saw at most 156 MiB allocated at any moment. With these
# settings (and the bundle built in a child process, src/app/workflow-bundle.ts) it held
# 201 MiB, and the worker's steady RSS went from 1166 to 763 MiB (README, "Where the time and
# memory go"; capping the arenas alone moved it little):
#   arena_max=2            two arenas rather than up to eight per core, each with its own
#                          free space;
#   mmap_threshold=131072  blocks of 128 KiB or more get a mapping of their own, returned to
#                          the kernel when freed; the fixed value also stops glibc raising the
#                          threshold after each such free, which keeps later ones in the arenas;
#   trim_threshold=131072  free memory above 128 KiB at the top of an arena goes back.
# PACER_MALLOC_TUNING=off runs node with glibc's defaults (or whatever GLIBC_TUNABLES says).
#
# Usage: scripts/pacer-node.sh <node arguments...>
set -euo pipefail

if [[ "${PACER_MALLOC_TUNING:-on}" != off ]]; then
  export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072"
fi
exec node "$@"
