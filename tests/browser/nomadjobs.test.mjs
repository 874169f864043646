#!/usr/bin/env node
// The lab's Nomad API end to end, as the seed post drives a real Nomad:
//   1. `meshpad lab up` with no design; jobs/counter.json and
//      jobs/dashboard.json POSTed to node one's /v1/jobs (200 + EvalID);
//   2. each job's /v1/job/:id/deployment followed with real blocking queries
//      (?index=<X-Nomad-Index>&wait=30s) until successful: every reply came
//      either because the index passed the one sent or because the wait ran
//      out; every group placed and healthy (dashboard 1, counter 3);
//   3. the post's jq recipe, through bash, curl and jq, gives the dashboard's
//      URL; in headless Chromium the page reads Connected, counts, and shows
//      the three counters' hostnames (counter.api[0…2]);
//   4. POST /v1/job/counter/plan: the same job diffs "None"; Count 5 is the
//      field Count Edited 3 → 5 with two placements, and changes nothing;
//   5. a job whose task is /bin/false with restart policy attempts 1, mode
//      fail: its deployment fails ("Failed due to unhealthy allocations"),
//      its allocations fail with Terminated "Exit Code: 1" … Not Restarting,
//      its service leaves the catalog;
//   6. DELETE ?purge=true for the three: GET job is 404 "job not found", the
//      catalog lists none of their services, the dashboard and the counters'
//      ports refuse connections, no `false` child is left under the lab;
//   7. SIGINT stops the lab: exit status 0.
// Measured times are printed. The lab gets its own HOME and XDG directories.
//
// usage: node nomadjobs.test.mjs <meshpad executable> <jobs directory>
// CHROMIUM overrides the browser (default /usr/bin/chromium).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { check, launchChromium, step, waitForBadge, waitForCountAbove } from './dashboardpage.mjs';
import { childrenOf, cleanUpRun, connects, labHome, labNodes, run, stop, until, waitForAllCounters } from './labprocess.mjs';

const [meshpadBin, jobsDir] = process.argv.slice(2);
if (!meshpadBin || !jobsDir) {
  console.error('usage: nomadjobs.test.mjs <meshpad> <jobs directory>');
  process.exit(2);
}

// One HTTP exchange with a 60 s cap (longer than any ?wait=30s plus jitter).
async function request(method, url, body) {
  const response = await fetch(url, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60000),
  });
  const text = await response.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, index: Number(response.headers.get('x-nomad-index') ?? NaN), text, json };
}

async function getJson(url) {
  const r = await request('GET', url);
  check(r.status === 200, `GET ${url}: ${r.status} ${r.text}`);
  return r.json;
}

// Follows GET /v1/job/:id/deployment with blocking queries until its Status
// is one of `done`. A blocking query may only answer early when the index
// moved past the one sent; otherwise it holds for the whole wait.
async function followDeployment(nomad, jobId, done, timeoutMs) {
  const started = Date.now();
  let r = await request('GET', `${nomad}/v1/job/${jobId}/deployment`);
  let queries = 1;
  let held = 0;  // replies that came because the wait ran out
  for (;;) {
    check(r.status === 200, `deployment of ${jobId}: ${r.status} ${r.text}`);
    check(Number.isInteger(r.index) && r.index > 0, `deployment of ${jobId}: X-Nomad-Index ${r.index}`);
    if (r.json && done.includes(r.json.Status))
      return { deployment: r.json, ms: Date.now() - started, queries, held };
    check(Date.now() - started < timeoutMs,
      `deployment of ${jobId} still ${r.json?.Status} (${r.json?.StatusDescription}) after ${queries} queries`);
    const sent = r.index;
    const asked = Date.now();
    r = await request('GET', `${nomad}/v1/job/${jobId}/deployment?index=${sent}&wait=30s`);
    ++queries;
    const tookMs = Date.now() - asked;
    // The lab's timer may be a coarse one (5 % early at most).
    check(r.index > sent || tookMs >= 28000,
      `blocking query on ${jobId} answered after ${tookMs} ms with X-Nomad-Index ${r.index}, not past ${sent}`);
    if (r.index <= sent) ++held;
  }
}

function checkGroups(deployment, expected) {
  for (const [group, total] of Object.entries(expected)) {
    const g = deployment.TaskGroups?.[group];
    check(g, `deployment of ${deployment.JobID} has no group ${group}: ${JSON.stringify(deployment.TaskGroups)}`);
    check(g.DesiredTotal === total && g.PlacedAllocs === total && g.HealthyAllocs === total && g.UnhealthyAllocs === 0,
      `${deployment.JobID}.${group}: ${JSON.stringify(g)}`);
  }
  check(Object.keys(deployment.TaskGroups).length === Object.keys(expected).length,
    `groups of ${deployment.JobID}: ${Object.keys(deployment.TaskGroups).join(', ')}`);
}

const { env, remove: removeHome } = labHome('nomadjobs');
const profile = mkdtempSync(path.join(tmpdir(), 'meshpad-chromium-'));
const counterJob = JSON.parse(readFileSync(path.join(jobsDir, 'counter.json'), 'utf8'));
const dashboardJob = JSON.parse(readFileSync(path.join(jobsDir, 'dashboard.json'), 'utf8'));
let context;
let lab;
let exitCode = 0;
try {
  step('meshpad lab up with no design; both jobs POSTed to node one');
  lab = run(meshpadBin, ['lab', 'up'], env);
  const { lines: nodes, agents } = await labNodes(lab, 20000);
  const one = agents.find((a) => a.name === 'one');
  check(one, `no node one: ${nodes.join(' | ')}`);
  const posted = Date.now();
  const evals = [];
  for (const job of [counterJob, dashboardJob]) {
    const r = await request('POST', `${one.nomad}/v1/jobs`, job);
    check(r.status === 200, `POST ${job.Job.ID}: ${r.status} ${r.text}`);
    check(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(r.json?.EvalID ?? ''),
      `POST ${job.Job.ID}: no EvalID in ${r.text}`);
    const evaluation = await getJson(`${one.nomad}/v1/evaluation/${r.json.EvalID}`);
    check(evaluation.JobID === job.Job.ID, `evaluation ${r.json.EvalID} is for ${evaluation.JobID}`);
    evals.push(`${job.Job.ID} ${r.json.EvalID.slice(0, 8)}`);
  }
  console.log(`ok 1 - ${one.nomad}: both jobs registered (evals ${evals.join(', ')})`);

  step('the deployments, followed with blocking queries (?index=&wait=30s)');
  const [dashboardRun, counterRun] = await Promise.all([
    followDeployment(one.nomad, 'dashboard', ['successful', 'failed', 'cancelled'], 120000),
    followDeployment(one.nomad, 'counter', ['successful', 'failed', 'cancelled'], 120000),
  ]);
  for (const [name, result, groups] of [['dashboard', dashboardRun, { dashboard: 1 }], ['counter', counterRun, { api: 3 }]]) {
    const d = result.deployment;
    check(d.Status === 'successful', `${name}: deployment ${d.Status} "${d.StatusDescription}"`);
    check(d.StatusDescription === 'Deployment completed successfully', `${name}: "${d.StatusDescription}"`);
    checkGroups(d, groups);
  }
  // min_healthy_time is 10 s: no deployment can succeed sooner (Qt's coarse
  // timers may fire up to 5 % early).
  const successMs = Date.now() - posted;
  check(successMs >= 9500, `deployments successful ${successMs} ms after the POSTs, before min_healthy_time`);
  console.log(`ok 2 - successful: dashboard after ${dashboardRun.ms} ms / ${dashboardRun.queries} queries`
    + ` (${dashboardRun.held} held to the wait), counter after ${counterRun.ms} ms / ${counterRun.queries} queries`
    + ` (${counterRun.held} held); groups dashboard 1/1/1, api 3/3/3`);

  step('the post\'s jq recipe, through bash with curl and jq');
  const recipe = [
    'set -euo pipefail',
    'allocation_id=$(curl -s $NOMAD/v1/allocations | jq -r \'.[] | select(.JobID == "dashboard") | .ID\')',
    'curl -s $NOMAD/v1/allocation/$allocation_id | jq -r \'.AllocatedResources.Shared.Networks[0] | ( "http://" + .IP + ":" + (.DynamicPorts[] | select(.Label == "http") | .Value | tostring))\'',
  ].join('\n');
  const jq = spawnSync('bash', ['-c', recipe], { env: { ...process.env, NOMAD: one.nomad }, encoding: 'utf8', timeout: 30000 });
  check(jq.status === 0, `the recipe: status ${jq.status}: ${jq.stderr}`);
  const dashboardUrl = jq.stdout.trim();
  const urlMatch = dashboardUrl.match(/^http:\/\/(127\.\d+\.\d+\.\d+):(\d+)$/);
  check(urlMatch, `the recipe printed ${JSON.stringify(jq.stdout)}`);
  context = await launchChromium(profile);
  const page = context.pages()[0] ?? await context.newPage();
  const opened = Date.now();
  await page.goto(dashboardUrl);
  await waitForBadge(page, 'Connected', 20000);
  const first = await waitForCountAbove(page, 0, 20000);
  const climbed = await waitForCountAbove(page, first, 10000);
  const distinct = [...new Set(await waitForAllCounters(page))].sort();
  console.log(`ok 3 - ${dashboardUrl}: Connected, count ${first} → ${climbed}, hostnames ${distinct.join(', ')}`
    + ` (${Date.now() - opened} ms after opening)`);
  await context.close();
  context = undefined;

  step('plan: the same job, then Count 5');
  const same = await request('POST', `${one.nomad}/v1/job/counter/plan`, { Job: counterJob.Job, Diff: true });
  check(same.status === 200, `plan: ${same.status} ${same.text}`);
  check(same.json.Diff?.Type === 'None', `plan of the same job: Diff ${JSON.stringify(same.json.Diff)}`);
  const bigger = structuredClone(counterJob.Job);
  bigger.TaskGroups[0].Count = 5;
  const scaled = await request('POST', `${one.nomad}/v1/job/counter/plan`, { Job: bigger, Diff: true });
  check(scaled.status === 200, `plan Count 5: ${scaled.status} ${scaled.text}`);
  const api = scaled.json.Diff?.TaskGroups?.find((g) => g.Name === 'api');
  const count = api?.Fields?.find((f) => f.Name === 'Count');
  check(scaled.json.Diff.Type === 'Edited' && api?.Type === 'Edited', `plan Count 5: ${JSON.stringify(scaled.json.Diff)}`);
  check(count && count.Type === 'Edited' && count.Old === '3' && count.New === '5', `Count field: ${JSON.stringify(count)}`);
  const place = scaled.json.Annotations?.DesiredTGUpdates?.api?.Place;
  check(place === 2, `DesiredTGUpdates.api: ${JSON.stringify(scaled.json.Annotations?.DesiredTGUpdates)}`);
  const stillThree = (await getJson(`${one.nomad}/v1/job/counter/allocations`)).filter((a) => a.ClientStatus === 'running');
  const job = await getJson(`${one.nomad}/v1/job/counter`);
  check(stillThree.length === 3 && job.TaskGroups[0].Count === 3,
    `a plan changed the job: Count ${job.TaskGroups[0].Count}, ${stillThree.length} running`);
  console.log(`ok 4 - plan: same job Diff None; Count ${count.Old} → ${count.New} Edited, api Place ${place}`
    + ` (Ignore ${scaled.json.Annotations.DesiredTGUpdates.api.Ignore}); the job still runs 3`);

  step('a job that cannot run: /bin/false, restart attempts 1, mode fail');
  const broken = structuredClone(counterJob);
  broken.Job.ID = 'broken';
  broken.Job.Name = 'broken';
  broken.Job.TaskGroups[0].Services[0].Name = 'broken-api';
  broken.Job.TaskGroups[0].Tasks[0].Config.command = '/bin/false';
  broken.Job.TaskGroups[0].RestartPolicy = { Attempts: 1, Delay: 200000000, Interval: 60000000000, Mode: 'fail' };
  const brokenPosted = await request('POST', `${one.nomad}/v1/jobs`, broken);
  check(brokenPosted.status === 200 && brokenPosted.json?.EvalID, `POST broken: ${brokenPosted.status} ${brokenPosted.text}`);
  const brokenRun = await followDeployment(one.nomad, 'broken', ['successful', 'failed', 'cancelled'], 120000);
  const bd = brokenRun.deployment;
  check(bd.Status === 'failed', `broken: deployment ${bd.Status} "${bd.StatusDescription}"`);
  check(bd.StatusDescription === 'Failed due to unhealthy allocations', `broken: "${bd.StatusDescription}"`);
  const brokenAllocs = await until('the broken allocations to fail', 20000, async () => {
    const allocs = await getJson(`${one.nomad}/v1/job/broken/allocations`);
    return allocs.length === 3 && allocs.every((a) => a.ClientStatus === 'failed') ? allocs : null;
  });
  let printed = false;
  for (const stub of brokenAllocs) {
    const alloc = await getJson(`${one.nomad}/v1/allocation/${stub.ID}`);
    const task = alloc.TaskStates?.counter;
    check(task && task.State === 'dead' && task.Failed === true, `${alloc.Name}: task ${JSON.stringify(task)}`);
    const events = task.Events.map((e) => e.Type);
    const terminated = task.Events.find((e) => e.Type === 'Terminated');
    check(terminated && terminated.ExitCode === 1 && terminated.DisplayMessage === 'Exit Code: 1',
      `${alloc.Name}: no Terminated with exit code 1 in ${events.join(', ')}`);
    const last = task.Events[task.Events.length - 1];
    check(last.Type === 'Not Restarting' && last.FailsTask === true,
      `${alloc.Name}: the last event is ${last.Type}: ${events.join(', ')}`);
    check(task.Restarts === 1, `${alloc.Name}: Restarts ${task.Restarts}`);
    if (!printed) {
      printed = true;
      console.log(`# ${alloc.Name} counter events: ${task.Events.map((e) => `${e.Type} "${e.DisplayMessage}"`).join(' → ')}`);
      const sidecar = alloc.TaskStates['connect-proxy-broken-api'];
      if (sidecar) {
        console.log(`# ${alloc.Name} connect-proxy-broken-api: State ${sidecar.State}, events`
          + ` ${sidecar.Events.map((e) => e.Type).join(' → ')}`);
      }
    }
  }
  const servicesAfterFail = await getJson(`${one.consul}/v1/catalog/services`);
  check(!('broken-api' in servicesAfterFail) && !('broken-api-sidecar-proxy' in servicesAfterFail),
    `the failed job's services are still in the catalog: ${Object.keys(servicesAfterFail).join(', ')}`);
  console.log(`ok 5 - broken: deployment failed "${bd.StatusDescription}" after ${brokenRun.ms} ms /`
    + ` ${brokenRun.queries} queries; 3 allocations failed (Terminated exit 1 → Restarting → Terminated → Not Restarting);`
    + ' broken-api left the catalog');

  step('DELETE ?purge=true for the three jobs');
  // What should go away, each checked to be there first.
  const listeners = [{ what: 'dashboard', host: urlMatch[1], port: Number(urlMatch[2]) }];
  for (const stub of await getJson(`${one.nomad}/v1/job/counter/allocations`)) {
    const alloc = await getJson(`${one.nomad}/v1/allocation/${stub.ID}`);
    for (const p of alloc.AllocatedResources.Shared.Ports ?? [])
      listeners.push({ what: `${alloc.Name} ${p.Label}`, host: p.HostIP, port: p.Value });
  }
  for (const instance of await getJson(`${one.consul}/v1/catalog/service/count-api`))
    listeners.push({ what: `count-api ${instance.ServiceID.slice(0, 24)}…`, host: instance.ServiceAddress, port: instance.ServicePort });
  check(listeners.length === 7, `listeners to watch: ${JSON.stringify(listeners)}`);
  for (const l of listeners)
    check(await connects(l.host, l.port), `${l.what} ${l.host}:${l.port} does not accept connections before the purge`);
  const purged = Date.now();
  for (const id of ['counter', 'dashboard', 'broken']) {
    const r = await request('DELETE', `${one.nomad}/v1/job/${id}?purge=true`);
    check(r.status === 200 && r.json?.EvalID, `DELETE ${id}: ${r.status} ${r.text}`);
  }
  for (const id of ['counter', 'dashboard', 'broken']) {
    const r = await request('GET', `${one.nomad}/v1/job/${id}`);
    check(r.status === 404 && r.text === 'job not found', `GET ${id} after the purge: ${r.status} ${r.text}`);
  }
  const gone = ['count-api', 'count-api-sidecar-proxy', 'count-dashboard', 'count-dashboard-sidecar-proxy',
    'broken-api', 'broken-api-sidecar-proxy'];
  await until('the catalog on node one to drop the jobs\' services', 15000, async () => {
    const services = await getJson(`${one.consul}/v1/catalog/services`);
    return gone.every((name) => !(name in services));
  });
  const catalogMs = Date.now() - purged;
  const refused = await until('every port to refuse connections', 15000, async () => {
    for (const l of listeners) {
      if (await connects(l.host, l.port)) return null;
    }
    return true;
  });
  check(refused, 'ports');
  const portsMs = Date.now() - purged;
  const children = childrenOf(lab.child.pid);
  const falses = children.filter((c) => c.comm === 'false');
  check(falses.length === 0, `the lab (pid ${lab.child.pid}) still has false children: ${JSON.stringify(falses)}`);
  console.log(`ok 6 - purged: GET job 404 "job not found"; catalog clear ${catalogMs} ms and ${listeners.length} ports`
    + ` refused ${portsMs} ms after the DELETEs; lab pid ${lab.child.pid} children: `
    + `${children.map((c) => `${c.comm}(${c.state})`).join(', ') || 'none'}`);

  const stopped = await stop(lab, 'SIGINT', 15000);
  check(stopped.code === 0, `meshpad lab up exit: ${JSON.stringify(stopped)}; stderr: ${lab.err()}`);
  console.log('ok 7 - the lab stopped with status 0');
} catch (error) {
  console.error(`not ok - ${error.message}`);
  if (lab) console.error(`--- lab stderr\n${lab.err()}`);
  exitCode = 1;
} finally {
  await cleanUpRun({ context, processes: [lab], profile, removeHome });
}
process.exit(exitCode);
