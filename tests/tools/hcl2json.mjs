// Prints the JSON form of an HCL2 file, as HashiCorp's own parser (hashicorp/hcl,
// compiled to WebAssembly in @cdktf/hcl2json) reads it.
//   node hcl2json.mjs FILE
// Exit 0 and JSON on stdout; exit 1 and the parser's diagnostics on stderr.
import { parse } from "@cdktf/hcl2json";
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
    console.error("usage: node hcl2json.mjs FILE");
    process.exit(2);
}
try {
    const json = await parse(file, readFileSync(file, "utf8"));
    process.stdout.write(JSON.stringify(json, null, 2) + "\n");
} catch (e) {
    console.error(String(e && e.message ? e.message : e));
    process.exit(1);
}
