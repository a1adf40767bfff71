/**
 * Where a process's resident memory lies, read from /proc/<pid>/smaps: the C allocator's
 * arenas (glibc's per-thread arenas are 64 MiB-aligned reservations of their own, and its main
 * arena is the brk heap), other anonymous memory (V8's heaps, which it maps itself, and large
 * allocations the C allocator maps one by one), and file-backed pages (code and data of
 * node, the SDK's native module and the shared libraries). bench:memory prints it beside the
 * heap figures, so that what grows with the cache is not guessed.
 */
import fs from 'node:fs';

export interface MemoryMap {
  mallocArenas: number;
  brkHeap: number;
  otherAnonymous: number;
  fileBacked: number;
}

interface Mapping {
  start: bigint;
  end: bigint;
  reserveOnly: boolean;
  name: string;
  rss: number;
}

const ARENA = 64n << 20n;

export function readMemoryMap(pid: number): MemoryMap {
  const mappings: Mapping[] = [];
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    const last = mappings[mappings.length - 1];
    if (head) {
      const [, start = '0', end = '0', perms = '', name = ''] = head;
      mappings.push({ start: BigInt(`0x${start}`), end: BigInt(`0x${end}`), reserveOnly: perms.startsWith('---'), name: name.trim(), rss: 0 });
    } else if (last && line.startsWith('Rss:')) last.rss = Number(line.split(/\s+/)[1]) * 1024;
  }
  // A glibc arena: anonymous mappings that together cover exactly one 64 MiB-aligned block,
  // its used part readable and writable and the rest reserved (---p).
  const blocks = new Map<bigint, Mapping[]>();
  for (const m of mappings) {
    if (m.name !== '') continue;
    const block = blocks.get(m.start / ARENA) ?? [];
    block.push(m);
    blocks.set(m.start / ARENA, block);
  }
  const inArena = new Set<Mapping>();
  for (const [block, ms] of blocks) {
    const covered = ms.reduce((sum, m) => sum + (m.end - m.start), 0n);
    if (ms[0]?.start === block * ARENA && covered === ARENA && ms.some((m) => m.reserveOnly)) for (const m of ms) inArena.add(m);
  }
  const map: MemoryMap = { mallocArenas: 0, brkHeap: 0, otherAnonymous: 0, fileBacked: 0 };
  for (const m of mappings) {
    if (inArena.has(m)) map.mallocArenas += m.rss;
    else if (m.name === '[heap]') map.brkHeap += m.rss;
    else if (m.name === '') map.otherAnonymous += m.rss;
    else if (!m.name.startsWith('[')) map.fileBacked += m.rss;
  }
  return map;
}

export function formatMemoryMap(map: MemoryMap): string {
  const mib = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MiB`;
  return `C allocator ${mib(map.mallocArenas + map.brkHeap)} (thread arenas ${mib(map.mallocArenas)}, main arena ${mib(map.brkHeap)}), other anonymous (V8 heaps, large mappings) ${mib(map.otherAnonymous)}, file-backed ${mib(map.fileBacked)}`;
}
