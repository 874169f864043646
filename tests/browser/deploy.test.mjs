#!/usr/bin/env node
// `meshpad plan / deploy / teardown -target lab` end to end, as a user runs
// them against `meshpad lab up` (issue 12's "Done means"):
//   1. with no lab running, `plan -target lab` says so and exits 2;
//   2. `meshpad lab up` with no design; `plan` shows the two jobs to create
//      and exits 1;
//   3. `deploy -auto-approve` applies, watches and prints the dashboard's
//      URL; in headless Chromium the count climbs;
//   4. `plan` right after exits 0 with "No changes.";
//   5. `teardown -auto-approve -json`: one JSON object per line, ending in a
//      succeeded result; then no job, no intention, no registration, no task
//      process under the lab, and the dashboard's port refuses connections;
//   6. without -auto-approve, an answer other than "yes" applies nothing;
//   7. Ctrl-C while watching detaches (exit 0) and the deployment goes on;
//   8. a task that exits at once: deploy exits 1 within its deadline, naming
//      the allocation, the task and the exit code;
//   9. SIGINT stops the lab.
// Prints the time from `deploy` to its exit (the figure the benchmark also
// reports). The lab gets its own HOME and XDG directories.
//
// usage: node deploy.test.mjs <meshpad executable> <design>

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { check, launchChromium, step, waitForBadge, waitForCountAbove } from './dashboardpage.mjs';
import { childrenOf, cleanUpRun, connects, labHome, run, stop, until } from './labprocess.mjs';

const [meshpadBin, design] = process.argv.slice(2);
if (!meshpadBin || !design) {
  console.error('usage: deploy.test.mjs <meshpad> <design>');
  process.exit(2);
}

const { env, remove: removeHome } = labHome('deploy');

function meshpad(args, timeoutMs = 120000) {
  const started = Date.now();
  const r = spawnSync(meshpadBin, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - started };
}

async function getJson(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(30000) });
  check(response.status === 200, `GET ${url}: ${response.status}`);
  return response.json();
}

const profile = mkdtempSync(path.join(tmpdir(), 'meshpad-chromium-'));
let context;
let lab;
let exitCode = 0;
try {
  step('no lab yet: plan -target lab says so');
  const none = meshpad(['plan', design, '-target', 'lab']);
  check(none.status === 2, `plan with no lab: status ${none.status}\n${none.out}\n${none.err}`);
  check(none.err.includes('no lab is running') && none.err.includes('meshpad lab up'),
    `plan with no lab: ${none.err}`);
  console.log(`ok 1 - no lab: exit 2, "${none.err.trim().split('\n').pop()}"`);

  step('meshpad lab up; plan shows two jobs to create');
  lab = run(meshpadBin, ['lab', 'up'], env);
  const nodeLine = await until('node one', 20000, () => lab.out().split('\n').find((l) => l.startsWith('node one ')));
  const [, consul, nomad] = nodeLine.match(/consul (\S+) nomad (\S+)/);
  const first = meshpad(['plan', design, '-target', 'lab']);
  check(first.status === 1, `first plan: status ${first.status}\n${first.out}\n${first.err}`);
  for (const line of ['+   Job: "counter"', '+   Job: "dashboard"', '+   Task Group: "api" (3 create)',
    '- All tasks successfully allocated.', 'count-dashboard → count-api: allow', 'Plan: 2 jobs to create']) {
    check(first.out.includes(line), `first plan lacks ${JSON.stringify(line)}:\n${first.out}`);
  }
  console.log(`ok 2 - plan: exit 1, ${first.out.trim().split('\n').pop()}`);

  step('deploy -auto-approve: watched to healthy, the URL printed');
  const deployed = meshpad(['deploy', design, '-target', 'lab', '-auto-approve']);
  check(deployed.status === 0, `deploy: status ${deployed.status}\n${deployed.out}\n${deployed.err}`);
  check(deployed.out.includes('counter/api: 3 of 3 healthy'), `deploy progress:\n${deployed.out}`);
  const open = deployed.out.split('\n').find((l) => l.startsWith('Open: '));
  check(open, `deploy printed no URL:\n${deployed.out}`);
  const url = open.slice('Open: '.length).trim();
  const m = url.match(/^http:\/\/(127\.\d+\.\d+\.\d+):(\d+)$/);
  check(m, `not a URL: ${url}`);
  context = await launchChromium(profile);
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto(url);
  await waitForBadge(page, 'Connected', 20000);
  const count = await waitForCountAbove(page, 0, 20000);
  const climbed = await waitForCountAbove(page, count, 10000);
  await context.close();
  context = undefined;
  console.log(`ok 3 - deploy: exit 0 after ${deployed.ms} ms; ${url}: Connected, count ${count} → ${climbed}`);

  step('plan right after, through a saved profile: no changes');
  mkdirSync(path.join(env.XDG_CONFIG_HOME, 'meshpad'), { recursive: true });
  writeFileSync(path.join(env.XDG_CONFIG_HOME, 'meshpad', 'targets.json'),
    JSON.stringify({ targets: [{ name: 'mylab', consul: { address: consul }, nomad: { address: nomad } }] }));
  const again = meshpad(['plan', design, '-target', 'mylab']);
  check(again.status === 0, `second plan: status ${again.status}\n${again.out}\n${again.err}`);
  check(again.out.includes('No changes.') && again.out.includes(`Target: mylab (Consul ${consul}, Nomad ${nomad})`),
    `second plan:\n${again.out}`);
  const unknown = meshpad(['plan', design, '-target', 'nope']);
  check(unknown.status === 2 && unknown.err.includes('no deploy target "nope"; known: environment, lab, hashibox, mylab'),
    `unknown target: ${unknown.status} ${unknown.err}`);
  console.log('ok 4 - plan after deploy through the profile "mylab": exit 0, "No changes."; an unknown target is named');

  step('teardown -auto-approve -json: nothing left');
  const down = meshpad(['teardown', design, '-target', 'lab', '-auto-approve', '-json']);
  check(down.status === 0, `teardown: status ${down.status}\n${down.out}\n${down.err}`);
  const events = down.out.trim().split('\n').map((line) => {
    try { return JSON.parse(line); } catch { throw new Error(`teardown -json printed a line that is not JSON: ${line}`); }
  });
  check(events[0].event === 'plan' && events[0].teardown === true, `first line: ${JSON.stringify(events[0])}`);
  const result = events[events.length - 1];
  check(result.event === 'result' && result.status === 'succeeded', `last line: ${JSON.stringify(result)}`);
  const jobs = await getJson(`${nomad}/v1/jobs`);
  check(jobs.length === 0, `jobs left: ${jobs.map((j) => j.ID).join(', ')}`);
  const intentions = await getJson(`${consul}/v1/config/service-intentions`);
  check(intentions.length === 0, `intentions left: ${JSON.stringify(intentions)}`);
  const catalog = await getJson(`${consul}/v1/catalog/services`);
  const left = Object.keys(catalog).filter((s) => s.startsWith('count-'));
  check(left.length === 0, `services left in the catalog: ${left.join(', ')}`);
  await until('the dashboard port to refuse', 10000, async () => !(await connects(m[1], Number(m[2]))));
  const children = await until('the tasks to exit', 10000, () => {
    const c = childrenOf(lab.child.pid).filter((p) => p.state !== 'Z');
    return c.length === 0 ? c : null;
  });
  console.log(`ok 5 - teardown: exit 0, ${events.length} JSON lines; no job, intention, registration,`
    + ` process (${children.length}) or socket left`);

  step('deploy without -auto-approve: anything but "yes" applies nothing');
  const refused = spawnSync(meshpadBin, ['deploy', design, '-target', 'lab'],
    { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60000, input: 'no\n' });
  check(refused.status === 2 && refused.stdout.includes("Only 'yes' will be accepted")
    && refused.stderr.includes('cancelled; nothing was applied'),
    `refused deploy: status ${refused.status}\n${refused.stdout}\n${refused.stderr}`);
  check((await getJson(`${nomad}/v1/jobs`)).length === 0, 'a refused deploy registered jobs');
  console.log('ok 6 - answer "no": exit 2, nothing applied');

  step('Ctrl-C while watching detaches; the deployment goes on');
  const watching = run(meshpadBin, ['deploy', design, '-target', 'lab', '-auto-approve'], env);
  await until('the jobs to be registered', 30000, () => watching.out().includes('dashboard: registered'));
  watching.child.kill('SIGINT');
  const detached = await Promise.race([watching.exited,
    new Promise((resolve) => setTimeout(() => resolve({ code: 'timeout' }), 30000))]);
  check(detached.code === 0 && watching.out().includes('Stopped watching; the deployment goes on'),
    `detach: ${JSON.stringify(detached)}\n${watching.out()}\n${watching.err()}`);
  await until('the deployments to finish without us', 60000, async () => {
    const d = await getJson(`${nomad}/v1/job/counter/deployment`);
    return d?.Status === 'successful';
  });
  const cleaned = meshpad(['teardown', design, '-target', 'lab', '-auto-approve']);
  check(cleaned.status === 0 && cleaned.out.includes('Teardown complete') && !cleaned.err.includes('QCommandLineParser'),
    `teardown after detach: status ${cleaned.status}\n${cleaned.out}\n${cleaned.err}`);
  console.log('ok 7 - Ctrl-C: exit 0, "Stopped watching; the deployment goes on", and it went on to successful');

  step('a task that exits at once: deploy exits 1 naming allocation, task and exit code');
  const broken = JSON.parse(readFileSync(design, 'utf8'));
  const counter = broken.services.find((s) => s.name === 'count-api');
  Object.assign(counter, { driver: 'raw_exec', command: '/bin/sh', args: ['-c', 'exit 3'], count: 1 });
  const brokenFile = path.join(env.HOME, 'broken.meshpad');
  writeFileSync(brokenFile, JSON.stringify(broken));
  const failed = meshpad(['deploy', brokenFile, '-target', 'lab', '-auto-approve', '-deadline', '90s']);
  check(failed.status === 1, `broken deploy: status ${failed.status}\n${failed.out}\n${failed.err}`);
  const why = failed.err.split('\n').find((l) => l.includes('failed: counter:')) ?? '';
  for (const part of ['counter.api[0]', 'task "counter"', 'exit code 3'])
    check(why.includes(part), `the failure does not name ${part}:\n${failed.err}`);
  check(meshpad(['teardown', brokenFile, '-target', 'lab', '-auto-approve']).status === 0, 'teardown of broken');
  console.log(`ok 8 - failing task: exit 1 after ${failed.ms} ms: ${why.trim()}`);

  step('SIGINT stops the lab');
  const stopped = await stop(lab, 'SIGINT', 30000);
  check(stopped.code === 0, `lab up exit: ${JSON.stringify(stopped)}\n${lab.err()}`);
  console.log('ok 9 - the lab stopped');
} catch (error) {
  exitCode = 1;
  console.error(`not ok - ${error.message}`);
  if (lab) console.error(`--- lab up stderr ---\n${lab.err().slice(-4000)}`);
} finally {
  await cleanUpRun({ context, processes: [lab], profile, removeHome });
}
process.exit(exitCode);
