#!/usr/bin/env node
// The dashboard page in a real headless Chromium, against the real counter
// and dashboard executables:
//   1. the count appears and climbs, badge "Connected";
//   2. the counter stops → badge "Counting Service is Unreachable" within 3 s,
//      count -1 and hostname [Unreachable] shown as the original does;
//   3. the counter starts again on the same port → "Connected" and counting;
//   4. the dashboard itself restarts → "Disconnected", then the page
//      reconnects by itself.
//
// usage: node dashboard.test.mjs <counter executable> <dashboard executable>
// CHROMIUM overrides the browser (default /usr/bin/chromium).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { check, launchChromium, readCount, step, waitForBadge, waitForCountAbove } from './dashboardpage.mjs';

const [counterBin, dashboardBin] = process.argv.slice(2);
if (!counterBin || !dashboardBin) {
  console.error('usage: dashboard.test.mjs <counter> <dashboard>');
  process.exit(2);
}

const children = new Set();

// Starts an executable and resolves with its port, read from the first
// startup line (both apps print the real port, so PORT=0 works).
function startApp(bin, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    child.on('exit', () => children.delete(child));
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${bin} did not start: ${out}`)), 10000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/^(?:Serving at http:\/\/localhost|Starting server on http:\/\/0\.0\.0\.0):(\d+)$/m);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.on('error', reject);
  });
}

function stopApp(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}






const profile = mkdtempSync(path.join(tmpdir(), 'meshpad-chromium-'));
let context;
let exitCode = 0;
try {
  let counter = await startApp(counterBin, { PORT: '0' });
  const counterPort = counter.port;
  let dashboard = await startApp(dashboardBin, {
    PORT: '0',
    COUNTING_SERVICE_URL: `http://127.0.0.1:${counterPort}`,
  });
  const dashboardPort = dashboard.port;

  context = await launchChromium(profile);
  const page = context.pages()[0] ?? await context.newPage();
  // Works offline: every request the page makes must go to the dashboard.
  const foreign = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(`http://127.0.0.1:${dashboardPort}/`) && !r.url().startsWith(`ws://127.0.0.1:${dashboardPort}/`))
      foreign.push(r.url());
  });

  step('the count appears and climbs');
  await page.goto(`http://127.0.0.1:${dashboardPort}/`);
  check(await page.title() === 'Tutorial: Counter via Service', 'page title');
  await waitForBadge(page, 'Connected', 5000);
  const first = await waitForCountAbove(page, 0, 5000);
  const climbed = await waitForCountAbove(page, first, 5000);
  check(climbed > first, 'count did not climb');
  const hostname = await page.textContent('#hostname');
  check(hostname && hostname !== '-' && hostname !== '[Unreachable]', `hostname shown: ${hostname}`);
  const look = await page.evaluate(() => ({
    background: getComputedStyle(document.body).backgroundImage,
    badge: getComputedStyle(document.querySelector('#connection-status')).position,
  }));
  check(look.background.includes('rgb(198, 42, 113)') && look.background.includes('rgb(119, 25, 68)'),
    `pink gradient: ${look.background}`);
  check(look.badge === 'fixed', 'badge is fixed top-right');
  console.log(`ok 1 - count ${first} → ${climbed} from ${hostname}`);

  step('stop the counter');
  await stopApp(counter.child);
  const stoppedAt = Date.now();
  await waitForBadge(page, 'Counting Service is Unreachable', 3000);
  const unreachableMs = Date.now() - stoppedAt;
  check(await page.textContent('#count') === '-1', 'count shows -1');
  check(await page.textContent('#hostname') === '[Unreachable]', 'hostname shows [Unreachable]');
  console.log(`ok 2 - unreachable shown after ${unreachableMs} ms`);

  step('start the counter again');
  counter = await startApp(counterBin, { PORT: String(counterPort) });
  const restartedAt = Date.now();
  await waitForBadge(page, 'Connected', 5000);
  const again = await waitForCountAbove(page, 0, 5000);
  const againClimbed = await waitForCountAbove(page, again, 5000);
  console.log(`ok 3 - connected again after ${Date.now() - restartedAt} ms, count ${again} → ${againClimbed}`);

  step('restart the dashboard: the page reconnects by itself');
  await stopApp(dashboard.child);
  await waitForBadge(page, 'Disconnected', 3000);
  dashboard = await startApp(dashboardBin, {
    PORT: String(dashboardPort),
    COUNTING_SERVICE_URL: `http://127.0.0.1:${counterPort}`,
  });
  await waitForBadge(page, 'Connected', 5000);
  await waitForCountAbove(page, againClimbed, 5000);
  console.log('ok 4 - reconnected');

  check(foreign.length === 0, `requests outside the dashboard: ${foreign.join(', ')}`);
  console.log('ok 5 - no requests outside the dashboard');
} catch (error) {
  console.error(`not ok - ${error.message}`);
  exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  await Promise.all([...children].map(stopApp));
  rmSync(profile, { recursive: true, force: true });
}
process.exit(exitCode);
