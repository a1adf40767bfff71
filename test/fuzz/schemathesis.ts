/**
 * Runs schemathesis (scripts/ensure-schemathesis.sh) against a served OpenAPI document.
 * Spawned, never run synchronously: the API under test answers from this same process.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export const CONTRACT_CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance'];

export interface FuzzRun {
  exitCode: number | null;
  output: string;
  /** From the JUnit report: test cases (one per operation and phase) and the failing ones. */
  cases: number;
  failedCases: string[];
  /** The summary block schemathesis prints last. */
  summary: string;
}

let bin: string | undefined;
function schemathesisBin(): string {
  bin ??= execFileSync('bash', [path.join(ROOT, 'scripts/ensure-schemathesis.sh')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  return bin;
}

export async function runSchemathesis(opts: { documentUrl: string; baseUrl: string; key: string; maxExamples: number; seed: number; phases: string[]; timeoutMs: number }): Promise<FuzzRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pacer-fuzz-'));
  const junit = path.join(dir, 'junit.xml');
  const args = [
    'run', opts.documentUrl,
    '--url', opts.baseUrl,
    '--checks', CONTRACT_CHECKS.join(','),
    '--max-examples', String(opts.maxExamples),
    '--seed', String(opts.seed),
    '--header', `Authorization: Bearer ${opts.key}`,
    '--phases', opts.phases.join(','),
    // Failures are reported as found; shrinking each to its smallest form costs minutes.
    '--no-shrink',
    '--generation-database', 'none',
    '--request-timeout', '30',
    '--report', 'junit', '--report-junit-path', junit,
    '--no-color',
  ];
  const child = spawn(schemathesisBin(), args, { cwd: dir, env: { ...process.env, PYTHONUNBUFFERED: '1', COLUMNS: '160' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (output += b.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  const xml = fs.existsSync(junit) ? fs.readFileSync(junit, 'utf8') : '';
  fs.rmSync(dir, { recursive: true, force: true });
  const cases = [...xml.matchAll(/<testcase\b[^>]*?name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
  const failedCases = cases.filter((c) => /<(failure|error)\b/.test(c[3] ?? '')).map((c) => c[1]!);
  const at = output.lastIndexOf('SUMMARY');
  return { exitCode, output, cases: cases.length, failedCases, summary: at >= 0 ? output.slice(output.lastIndexOf('\n', at - 2) + 1) : output.slice(-3000) };
}
