// Reads a Nomad jobspec the way jobspec2 does (for the subset Meshpad writes)
// and prints the job as the HTTP API takes it, so a test can check that an
// HCL file and a JSON body mean the same job.
//
//   node nomad-hcl-to-api.mjs FILE...
//
// Each FILE ending in .json is a POST /v1/jobs body; any other is a jobspec,
// read with HashiCorp's HCL2 parser (@cdktf/hcl2json). One run for many
// files, because starting node and the parser's WebAssembly is the slow part.
// Prints one JSON object: { "FILE": {"Job": …} | {"error": "…"}, … }.
//
// Each job is given in its *normal form*, where things that mean the same
// compare equal (sorted keys):
// - defaults made explicit: Job.Name = ID, Job.Type "service", group Count 1,
//   network Mode "host" (Nomad's default mode), Port Value/To 0;
// - empty lists and maps removed (`tags = []` means no tags), and so are
//   absent-vs-false booleans (Expose false);
// - TaskGroups, Tasks and ports sorted by name/label: hcl2json returns
//   labelled blocks as JSON objects, which lose their order (Nomad places
//   groups independently, so their order carries no meaning);
// - Env/Meta values as strings (jobspec2 turns `PORT = 9001` into "9001"),
//   service `port` as a string PortLabel, durations as integer nanoseconds;
// - template escapes resolved: hcl2json gives strings in HCL's JSON syntax,
//   where `$${` and `%%{` stand for literal `${` and `%{`;
// - an interpolation hcl2json leaves in a string (`${…}`, not escaped) is
//   kept as that text only where jobspec2 keeps it: a plain traversal
//   (`${NOMAD_PORT_http}`, `${meta.x}`) whose root jobspec2 does not define
//   goes to its UnknownVariable hook, which gives back "${" + expr + "}"
//   (hashicorp/nomad: jobspec2/types.config.go, EvalContext).
//   Anything else is evaluated by jobspec2 — roots `true`, `false`, `null`
//   (HCL2's literal values), `var` and `local` (jobspec2's own variables),
//   function calls, operators — and so is a directive (`%{…}`): the file
//   is reported as an error, as its text does not survive. (hcl2json itself
//   already evaluates constant templates: `"${true}"` comes out as the bool
//   true and `"x${false}"` as "xfalse", which is what jobspec2 makes of them.)
// Parse errors and input outside the subset are reported as "error".
import { parse } from "@cdktf/hcl2json";
import { readFileSync } from "node:fs";

class MapError extends Error {}
function fail(message) {
    throw new MapError(message);
}

// Roots jobspec2 evaluates rather than passing through (see the header).
const evaluatedRoots = new Set(["true", "false", "null", "var", "local"]);
const plainTraversal = /^([A-Za-z_][A-Za-z0-9_-]*)(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

// End (index after the closing brace) of the `${…}` or `%{…}` opening at i,
// skipping quoted strings inside the expression; -1 if it never closes.
function sequenceEnd(s, i) {
    let depth = 0;
    for (let j = i + 1; j < s.length; j++) {
        const c = s[j];
        if (c === '"') {
            for (j++; j < s.length && s[j] !== '"'; j++) if (s[j] === "\\") j++;
        } else if (c === "{") {
            depth++;
        } else if (c === "}" && --depth === 0) {
            return j + 1;
        }
    }
    return -1;
}

// What jobspec2 makes of a string printed by hcl2json.
function untemplate(s) {
    let out = "";
    for (let i = 0; i < s.length; ) {
        if (s.startsWith("$${", i) || s.startsWith("%%{", i)) {
            out += s[i] + "{";
            i += 3;
        } else if (s.startsWith("${", i) || s.startsWith("%{", i)) {
            const end = sequenceEnd(s, i);
            const sequence = end < 0 ? s.slice(i) : s.slice(i, end);
            const m = s[i] === "$" && end > 0 ? plainTraversal.exec(sequence.slice(2, -1)) : null;
            if (!m || evaluatedRoots.has(m[1]))
                fail(`${JSON.stringify(sequence)} in ${JSON.stringify(s)} is evaluated by jobspec2, not kept as text`);
            out += sequence;
            i = end;
        } else {
            out += s[i];
            i += 1;
        }
    }
    return out;
}

function str(v) {
    if (typeof v === "string") return untemplate(v);
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    fail(`expected a string, number or bool, got ${JSON.stringify(v)}`);
}

function int(v, what) {
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
    fail(`${what}: expected an integer, got ${JSON.stringify(v)}`);
}

// Go's time.ParseDuration, for the units jobspecs use.
function durationNs(v, what) {
    if (typeof v === "number") return v; // already nanoseconds (API form)
    const s = str(v);
    if (s === "0") return 0;
    const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(s);
    if (!m) fail(`${what}: not a Go duration: ${JSON.stringify(s)}`);
    const units = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
    let total = 0;
    for (const part of s.replace(/^[-+]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g))
        total += Number(part[1]) * units[part[2]];
    return Math.round(m[1] === "-" ? -total : total);
}

// A block hcl2json gives as [ {…} ] (or an attribute map given as {…}).
function blocks(v) {
    if (v === undefined) return [];
    return Array.isArray(v) ? v : [v];
}
function oneBlock(v, what) {
    const list = blocks(v);
    if (list.length > 1) fail(`${what}: more than one block`);
    return list[0];
}
// Labelled blocks: { label: [ {…}, … ] } -> [ [label, body], … ]
function labelled(v) {
    const out = [];
    for (const [label, bodies] of Object.entries(v ?? {}))
        for (const body of blocks(bodies)) out.push([label, body]);
    return out;
}
// `env { K = v }` (a block list) or `env = { "k" = v }` (a map attribute).
function stringMap(v) {
    if (v === undefined) return undefined;
    const out = {};
    for (const part of blocks(v))
        for (const [k, val] of Object.entries(part)) out[untemplate(k)] = str(val);
    return out;
}
function known(body, keys, what) {
    for (const k of Object.keys(body ?? {}))
        if (!keys.includes(k)) fail(`${what}: unsupported key ${JSON.stringify(k)}`);
}

function mapCheck(c) {
    known(c, ["type", "path", "interval", "timeout", "expose", "port", "name"], "check");
    return {
        Name: c.name === undefined ? undefined : str(c.name),
        Type: str(c.type),
        Path: c.path === undefined ? undefined : str(c.path),
        PortLabel: c.port === undefined ? undefined : str(c.port),
        Interval: durationNs(c.interval, "check.interval"),
        Timeout: durationNs(c.timeout, "check.timeout"),
        Expose: c.expose,
    };
}

function mapService(s) {
    known(s, ["name", "port", "tags", "meta", "check", "connect"], "service");
    const out = {
        Name: s.name === undefined ? undefined : str(s.name),
        PortLabel: s.port === undefined ? undefined : str(s.port),
        Tags: s.tags?.map(str),
        Meta: stringMap(s.meta),
        Checks: blocks(s.check).map(mapCheck),
    };
    const connect = oneBlock(s.connect, "connect");
    if (connect) {
        known(connect, ["sidecar_service", "native"], "connect");
        out.Connect = {};
        if (connect.native !== undefined) out.Connect.Native = connect.native;
        const sidecar = oneBlock(connect.sidecar_service, "sidecar_service");
        if (sidecar) {
            known(sidecar, ["proxy"], "sidecar_service");
            out.Connect.SidecarService = {};
            const proxy = oneBlock(sidecar.proxy, "proxy");
            if (proxy) {
                known(proxy, ["local_service_port", "upstreams"], "proxy");
                out.Connect.SidecarService.Proxy = {
                    LocalServicePort: proxy.local_service_port,
                    Upstreams: blocks(proxy.upstreams).map((u) => {
                        known(u, ["destination_name", "local_bind_port", "local_bind_address"], "upstreams");
                        return {
                            DestinationName: str(u.destination_name),
                            LocalBindPort: int(u.local_bind_port, "local_bind_port"),
                            LocalBindAddress: u.local_bind_address === undefined ? undefined : str(u.local_bind_address),
                        };
                    }),
                };
            }
        }
    }
    return out;
}

function mapTask([name, t]) {
    known(t, ["driver", "config", "env", "resources", "meta"], `task ${name}`);
    const config = {};
    for (const part of blocks(t.config))
        for (const [k, v] of Object.entries(part))
            config[k] = Array.isArray(v) ? v.map(str) : str(v);
    const resources = oneBlock(t.resources, "resources");
    if (resources) known(resources, ["cpu", "memory"], "resources");
    return {
        Name: name,
        Driver: str(t.driver),
        Config: config,
        Env: stringMap(t.env),
        Meta: stringMap(t.meta),
        Resources: resources && { CPU: resources.cpu, MemoryMB: resources.memory },
    };
}

function mapGroup([name, g]) {
    known(g, ["count", "network", "service", "task"], `group ${name}`);
    return {
        Name: name,
        Count: g.count === undefined ? undefined : int(g.count, "count"),
        Networks: blocks(g.network).map((n) => {
            known(n, ["mode", "port"], "network");
            const reserved = [], dynamic = [];
            for (const [label, p] of labelled(n.port)) {
                known(p, ["static", "to"], `port ${label}`);
                const port = { Label: label, Value: p.static ?? 0, To: p.to ?? 0 };
                (p.static !== undefined ? reserved : dynamic).push(port);
            }
            return { Mode: n.mode === undefined ? undefined : str(n.mode), ReservedPorts: reserved, DynamicPorts: dynamic };
        }),
        Services: blocks(g.service).map(mapService),
        Tasks: labelled(g.task).map(mapTask),
    };
}

function fromHcl(doc) {
    const jobs = labelled(doc.job);
    if (jobs.length !== 1) fail(`expected exactly one job, found ${jobs.length}`);
    known(doc, ["job"], "file");
    const [id, j] = jobs[0];
    known(j, ["datacenters", "type", "name", "group"], `job ${id}`);
    return {
        Job: {
            ID: id,
            Name: j.name === undefined ? undefined : str(j.name),
            Type: j.type === undefined ? undefined : str(j.type),
            Datacenters: j.datacenters?.map(str),
            TaskGroups: labelled(j.group).map(mapGroup),
        },
    };
}

// ---- the normal form -------------------------------------------------------

const byKey = (key) => (a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0);

function prune(v) {
    if (Array.isArray(v)) {
        const list = v.map(prune).filter((x) => x !== undefined);
        return list.length ? list : undefined;
    }
    if (v && typeof v === "object") {
        const out = {};
        for (const k of Object.keys(v).sort()) {
            const x = prune(v[k]);
            if (x !== undefined) out[k] = x;
        }
        return Object.keys(out).length ? out : undefined;
    }
    return v === null || v === false ? undefined : v;
}

function normalize(body) {
    const job = body.Job ?? fail("no Job");
    job.Name ??= job.ID;
    job.Type ??= "service";
    for (const g of job.TaskGroups ?? []) {
        g.Count ??= 1;
        for (const n of g.Networks ?? []) {
            n.Mode ??= "host";
            for (const list of [n.ReservedPorts ?? [], n.DynamicPorts ?? []]) {
                for (const p of list) { p.Value ??= 0; p.To ??= 0; }
                list.sort(byKey("Label"));
            }
        }
        for (const s of g.Services ?? []) {
            // An empty SidecarService is meaningful (`sidecar_service {}`):
            // keep it from being pruned away with the other empty maps.
            if (s.Connect?.SidecarService && !prune(s.Connect.SidecarService))
                s.Connect.SidecarService = { present: true };
            if (s.Connect && !prune(s.Connect)) s.Connect = { present: true };
        }
        for (const t of g.Tasks ?? []) {
            for (const m of [t.Env, t.Meta]) for (const k of Object.keys(m ?? {})) m[k] = String(m[k]);
        }
        g.Tasks?.sort(byKey("Name"));
    }
    job.TaskGroups?.sort(byKey("Name"));
    return prune(body);
}

const files = process.argv.slice(2);
if (!files.length) {
    console.error("usage: node nomad-hcl-to-api.mjs FILE...");
    process.exit(2);
}
const results = {};
for (const file of files) {
    try {
        const text = readFileSync(file, "utf8");
        const body = file.endsWith(".json") ? JSON.parse(text) : fromHcl(await parse(file, text));
        results[file] = normalize(body);
    } catch (e) {
        results[file] = { error: String(e && e.message ? e.message : e) };
    }
}
process.stdout.write(JSON.stringify(results, null, 2) + "\n");
