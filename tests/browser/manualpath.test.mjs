#!/usr/bin/env node
// The seed post's manual path, run here end to end: `meshpad lab up` with no
// design is the cluster; the countdash example's generated scripts (with the
// design's script proxy set to `meshpad proxy -sidecar-for`) register each
// service with a node's Consul agent, start the app and its sidecar; the
// dashboard, in a real headless Chromium, counts through mTLS.
//   1. lab up prints each node's Consul and Nomad address first;
//   2. the scripts register count-api on node one and count-dashboard on
//      node two; both services and sidecars show in /v1/catalog/services;
//   3. the page counts (badge "Connected");
//   4. an intention written through PUT /v1/config denies count-dashboard →
//      count-api: the page reads "Counting Service is Unreachable" within 2 s (the time is printed);
//   5. allowing it again brings the count back;
//   6. SIGTERM to the scripts deregisters both services (and their sidecars);
//      SIGINT stops the lab.
// The lab gets its own HOME and XDG directories (its CA, its status socket).
//
// usage: node manualpath.test.mjs <meshpad> <countdash.meshpad> <counter> <dashboard>
// CHROMIUM overrides the browser (default /usr/bin/chromium).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { check, launchChromium, step, waitForBadge, waitForCountAbove } from './dashboardpage.mjs';
import { cleanUpRun, labHome, labNodes, run, stop, until } from './labprocess.mjs';

const [meshpadBin, design, counterBin, dashboardBin] = process.argv.slice(2);
if (!meshpadBin || !design || !counterBin || !dashboardBin) {
  console.error('usage: manualpath.test.mjs <meshpad> <design.meshpad> <counter> <dashboard>');
  process.exit(2);
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

const { home, env, remove: removeHome } = labHome('manual');
const profile = mkdtempSync(path.join(tmpdir(), 'meshpad-chromium-'));
let context;
let lab;
const scripts = [];
let exitCode = 0;
try {
  step('meshpad lab up with no design: the nodes\' API addresses first');
  lab = run(meshpadBin, ['lab', 'up'], env);
  const { agents } = await labNodes(lab, 20000);
  console.log(`ok 1 - ${agents.map((a) => `${a.name} ${a.consul}`).join(', ')}`);

  step('the countdash scripts, with meshpad proxy -sidecar-for');
  const project = JSON.parse(readFileSync(design, 'utf8'));
  project.settings.scriptProxy = 'meshpad';
  for (const service of project.services)
    service.command = service.template === 'counter' ? counterBin : dashboardBin;
  const designFile = path.join(home, 'countdash.meshpad');
  writeFileSync(designFile, JSON.stringify(project, null, 2));
  const out = path.join(home, 'out');
  const generated = spawnSync(meshpadBin, ['generate', designFile, '-o', out], { env: { ...process.env, ...env } });
  check(generated.status === 0, `meshpad generate: ${generated.stderr}`);
  const scriptEnv = (agent) => ({ ...env, CONSUL_HTTP_ADDR: agent.consul, MESHPAD: meshpadBin });
  scripts.push(run('bash', [path.join(out, 'scripts/count-api.sh')], scriptEnv(agents[0])));
  scripts.push(run('bash', [path.join(out, 'scripts/count-dashboard.sh')], scriptEnv(agents[1])));
  const catalog = await until('both services and sidecars in the catalog', 20000, async () => {
    const services = await getJson(`${agents[2].consul}/v1/catalog/services`);
    const names = Object.keys(services).sort();
    return ['count-api', 'count-api-sidecar-proxy', 'count-dashboard', 'count-dashboard-sidecar-proxy']
      .every((n) => names.includes(n)) ? names : null;
  });
  console.log(`ok 2 - catalog (asked on node three): ${catalog.join(', ')}`);

  step('the dashboard counts through mTLS');
  context = await launchChromium(profile);
  const page = context.pages()[0] ?? await context.newPage();
  await until('the dashboard to listen', 20000, async () => {
    try { return (await fetch('http://127.0.0.1:9002/health')).ok; } catch { return false; }
  });
  await page.goto('http://127.0.0.1:9002/');
  await waitForBadge(page, 'Connected', 20000);
  const first = await waitForCountAbove(page, 0, 20000);
  const climbed = await waitForCountAbove(page, first, 10000);
  console.log(`ok 3 - count ${first} → ${climbed}`);

  step('deny through /v1/config: Unreachable within 2 s');
  const intention = (action) => ({
    Kind: 'service-intentions', Name: 'count-api', Sources: [{ Name: 'count-dashboard', Action: action }],
  });
  const denied = Date.now();
  const put = await fetch(`${agents[0].consul}/v1/config`, { method: 'PUT', body: JSON.stringify(intention('deny')) });
  check(put.ok && (await put.text()).trim() === 'true', 'PUT /v1/config deny');
  await waitForBadge(page, 'Counting Service is Unreachable', 5000);
  const unreachableMs = Date.now() - denied;
  check(unreachableMs < 2000, `Unreachable only after ${unreachableMs} ms`);
  console.log(`ok 4 - Unreachable ${unreachableMs} ms after the deny`);

  const allowed = Date.now();
  await fetch(`${agents[0].consul}/v1/config`, { method: 'PUT', body: JSON.stringify(intention('allow')) });
  await waitForBadge(page, 'Connected', 10000);
  console.log(`ok 5 - Connected again ${Date.now() - allowed} ms after the allow`);

  step('SIGTERM to the scripts deregisters everything');
  for (const script of scripts) {
    const result = await stop(script, 'SIGTERM', 15000);
    check(result.code === 143, `script exit ${JSON.stringify(result)}: ${script.err()}`);
  }
  for (const agent of agents.slice(0, 2)) {
    const left = await getJson(`${agent.consul}/v1/agent/services`);
    check(Object.keys(left).length === 0, `${agent.name} still has ${Object.keys(left).join(', ')}`);
  }
  console.log('ok 6 - scripts exited 143, both agents list no service');

  await context.close();
  context = undefined;
  const stopped = await stop(lab, 'SIGINT', 15000);
  check(stopped.code === 0, `meshpad lab up exit: ${JSON.stringify(stopped)}; stderr: ${lab.err()}`);
  console.log('ok 7 - the lab stopped with status 0');
} catch (error) {
  console.error(`not ok - ${error.message}`);
  for (const script of scripts) console.error(`--- script stderr\n${script.err()}`);
  if (lab) console.error(`--- lab stderr\n${lab.err()}`);
  exitCode = 1;
} finally {
  await cleanUpRun({ context, processes: [...scripts, lab], profile, removeHome });
}
process.exit(exitCode);
