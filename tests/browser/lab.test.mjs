#!/usr/bin/env node
// `meshpad lab up` on the example, its dashboard in a real headless Chromium:
//   1. after the nodes' API addresses, the first stdout line is the
//      dashboard's endpoint;
//   2. the page shows a count that climbs, badge "Connected";
//   3. the hostname changes among the three counter instances (their
//      hostnames are their allocation names, counter.api[0…2]), since the
//      dashboard dials its upstream anew for every count;
//   4. SIGINT stops the lab: exit status 0.
// The lab gets its own HOME and XDG directories (its CA, its status socket).
//
// usage: node lab.test.mjs <meshpad executable> <countdash.meshpad>
// CHROMIUM overrides the browser (default /usr/bin/chromium).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { check, launchChromium, step, waitForBadge, waitForCountAbove } from './dashboardpage.mjs';
import { labHome, waitForAllCounters } from './labprocess.mjs';

const [meshpadBin, design] = process.argv.slice(2);
if (!meshpadBin || !design) {
  console.error('usage: lab.test.mjs <meshpad> <design.meshpad>');
  process.exit(2);
}

// Starts `meshpad lab up` and resolves with its first stdout line after the
// `node NAME consul URL nomad URL` lines.
function labUp(env) {
  const child = spawn(meshpadBin, ['lab', 'up', design], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const started = Date.now();
  let err = '';
  child.stderr.on('data', (chunk) => { err += chunk; });
  const firstLine = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no endpoint from meshpad lab up: ${err}`)), 15000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      for (let end = out.indexOf('\n'); end >= 0; end = out.indexOf('\n')) {
        const line = out.slice(0, end);
        out = out.slice(end + 1);
        if (line.startsWith('node ')) continue;
        clearTimeout(timer);
        resolve({ line, ms: Date.now() - started });
        return;
      }
    });
    child.on('exit', (code) => reject(new Error(`meshpad lab up exited (${code}): ${err}`)));
    child.on('error', reject);
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, firstLine, exited, stderr: () => err };
}



const home = labHome('lab');
const profile = mkdtempSync(path.join(tmpdir(), 'meshpad-chromium-'));
let context;
let lab;
let exitCode = 0;
try {
  step('meshpad lab up: the dashboard first');
  lab = labUp(home.env);
  const { line, ms } = await lab.firstLine;
  // 127.<slot>.1.x: slot 0 unless another lab (the editor's Run) holds it.
  const m = line.match(/^count-dashboard dashboard\.dashboard\[0\] (http:\/\/127\.\d+\.1\.[123]:\d+)$/);
  check(m, `first line is not the dashboard: ${line}`);
  const url = m[1];
  console.log(`ok 1 - ${line} after ${ms} ms`);

  context = await launchChromium(profile);
  const page = context.pages()[0] ?? await context.newPage();
  const foreign = [];
  const wsUrl = url.replace(/^http:/, 'ws:');
  page.on('request', (r) => {
    if (!r.url().startsWith(`${url}/`) && !r.url().startsWith(`${wsUrl}/`))
      foreign.push(r.url());
  });

  step('the count appears and climbs');
  await page.goto(`${url}/`);
  check(await page.title() === 'Tutorial: Counter via Service', 'page title');
  await waitForBadge(page, 'Connected', 10000);
  const first = await waitForCountAbove(page, 0, 10000);
  const climbed = await waitForCountAbove(page, first, 10000);
  console.log(`ok 2 - count ${first} → ${climbed}`);

  step('the hostname changes among the three counters');
  const seen = await waitForAllCounters(page);
  console.log(`ok 3 - hostnames ${seen.slice(0, 8).join(' → ')}${seen.length > 8 ? ' …' : ''}`);

  check(foreign.length === 0, `requests outside the dashboard: ${foreign.join(', ')}`);
  console.log('ok 4 - no requests outside the dashboard');

  step('SIGINT stops the lab');
  await context.close();
  context = undefined;
  lab.child.kill('SIGINT');
  const stopped = await Promise.race([
    lab.exited,
    new Promise((resolve) => setTimeout(() => resolve({ code: 'timeout' }), 15000)),
  ]);
  check(stopped.code === 0, `meshpad lab up exit: ${JSON.stringify(stopped)}; stderr: ${lab.stderr()}`);
  console.log('ok 5 - exit status 0');
} catch (error) {
  console.error(`not ok - ${error.message}`);
  if (lab) console.error(lab.stderr());
  exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  if (lab && lab.child.exitCode === null && lab.child.signalCode === null) {
    lab.child.kill('SIGKILL');
    await lab.exited;
  }
  rmSync(profile, { recursive: true, force: true });
  home.remove();
}
process.exit(exitCode);
