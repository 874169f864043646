// What the browser tests that run `meshpad lab up` and other processes share:
// a home of their own for the lab, child processes in their own process
// group, polling with a deadline, a bounded stop, and the dashboard's
// hostnames as the three counters answer.

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { check } from './dashboardpage.mjs';

// A fresh HOME with its XDG directories (the lab's CA, its status socket),
// as environment variables; remove() deletes it all.
export function labHome(prefix) {
  const home = mkdtempSync(path.join(tmpdir(), `meshpad-${prefix}-home-`));
  const runtime = path.join(home, 'run');
  mkdirSync(runtime);
  chmodSync(runtime, 0o700);  // Qt insists on a private runtime directory
  return {
    home,
    env: {
      HOME: home,
      XDG_DATA_HOME: path.join(home, 'data'),
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_CACHE_HOME: path.join(home, 'cache'),
      XDG_RUNTIME_DIR: runtime,
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

// Starts `command` in a process group of its own, so that cleanup after a
// failure also reaches what it started (a script's app and proxy, the lab's
// tasks); out()/err() are what it printed so far.
export function run(command, args, env) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => { out += chunk; });
  child.stderr.on('data', (chunk) => { err += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, out: () => out, err: () => err };
}

// Polls `probe` every 100 ms until it returns something truthy.
export async function until(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The three "node NAME consul URL nomad URL" lines `meshpad lab up` prints
// first (within `timeoutMs`), as they are and as [{name, consul, nomad}].
export async function labNodes(lab, timeoutMs) {
  const lines = await until('three node lines', timeoutMs, () => {
    const found = lab.out().split('\n').filter((l) => l.startsWith('node '));
    return found.length >= 3 ? found : null;
  });
  const agents = lines.map((line) => {
    const m = line.match(/^node (\w+) consul (http:\/\/127\.\d+\.1\.[123]:8500) nomad (http:\/\/127\.\d+\.1\.[123]:4646)$/);
    check(m, `not a node line: ${line}`);
    return { name: m[1], consul: m[2], nomad: m[3] };
  });
  return { lines, agents };
}

// Sends `signal` and waits for the exit, at most `timeoutMs` ({code: 'timeout'}).
export async function stop(proc, signal, timeoutMs) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return proc ? proc.exited : null;
  proc.child.kill(signal);
  return Promise.race([proc.exited, new Promise((resolve) => setTimeout(() => resolve({ code: 'timeout' }), timeoutMs))]);
}

// The end of a run, passed or not: the browser context closed, each of
// `processes` killed with its process group, the Chromium profile and the
// lab's home removed.
export async function cleanUpRun({ context, processes, profile, removeHome }) {
  if (context) await context.close().catch(() => {});
  for (const proc of processes)
    await kill(proc);
  rmSync(profile, { recursive: true, force: true });
  removeHome();
}

// After a failure: the whole process group goes.
export async function kill(proc) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try { process.kill(-proc.child.pid, 'SIGKILL'); } catch { proc.child.kill('SIGKILL'); }
  await proc.exited;
}

// Reads the page's hostname until all three counters (counter.api[0..2])
// have answered, at most 30 s; the dashboard dials its upstream anew for
// every count. Returns the sequence seen.
export async function waitForAllCounters(page) {
  const seen = [];
  const deadline = Date.now() + 30000;
  while (new Set(seen).size < 3 && Date.now() < deadline) {
    const hostname = await page.textContent('#hostname');
    if (seen[seen.length - 1] !== hostname) seen.push(hostname);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const distinct = [...new Set(seen)].sort();
  check(distinct.every((h) => /^counter\.api\[[0-2]\]$/.test(h)), `hostnames shown: ${seen.join(' → ')}`);
  check(distinct.length === 3, `not every counter answered within 30 s: ${seen.join(' → ')}`);
  return seen;
}

// Whether something accepts a TCP connection at host:port (a timeout counts
// as accepted: only a refusal means nothing listens).
export function connects(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(3000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(true); });  // not refused
    socket.once('error', () => resolve(false));
  });
}

// Children of `pid` from /proc/<n>/stat (ppid is the 2nd field after the
// parenthesised command name, which may itself hold spaces or parentheses).
export function childrenOf(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${entry}/stat`, 'utf8'); } catch { continue; }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (Number(ppid) === pid) out.push({ pid: Number(entry), comm, state });
  }
  return out;
}
