// Times HashiCorp's HCL2 parser (hashicorp/hcl + tmccombs/hcl2json, compiled
// to WebAssembly in @cdktf/hcl2json) on one file, without node's start-up:
// the WebAssembly module is loaded and warmed by a first parse, then parse()
// runs RUNS times, each timed with process.hrtime.
//   node hcl2json-bench.mjs FILE [RUNS [JSON_OUT]]
// Prints {"runs": [ms, …], "median": ms, "first": ms} on stdout and, given
// JSON_OUT, writes the parsed JSON there; exit 1 and the parser's
// diagnostics on stderr when it refuses the file.
import { parse } from "@cdktf/hcl2json";
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
const runs = Number(process.argv[3] ?? 10);
if (!file || !(runs > 0)) {
    console.error("usage: node hcl2json-bench.mjs FILE [RUNS]");
    process.exit(2);
}
const text = readFileSync(file, "utf8");
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
try {
    let start = process.hrtime.bigint();
    const json = await parse(file, text);
    const first = ms(start);
    if (process.argv[4])
        writeFileSync(process.argv[4], JSON.stringify(json));
    const times = [];
    for (let i = 0; i < runs; ++i) {
        start = process.hrtime.bigint();
        await parse(file, text);
        times.push(ms(start));
    }
    const sorted = [...times].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    process.stdout.write(JSON.stringify({ runs: times, median, first }) + "\n");
} catch (e) {
    console.error(String(e && e.message ? e.message : e));
    process.exit(1);
}
