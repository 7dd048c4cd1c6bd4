// cel-check: evaluates a CRD's x-kubernetes-validations rules with a real CEL evaluator
// (@bufbuild/cel, installed by scripts/install-tools) as apiextensions-apiserver applies them:
// at every schema node that has rules and a value, `self` bound to that value (objects as CEL
// maps, integers as CEL ints), the rule failing when it is false or evaluates to an error.
//
//   node cel-check.cjs CEL_DIR INPUT.json       (CEL_DIR holds node_modules/@bufbuild/cel)
// INPUT: {"schema": <openAPIV3Schema>, "objects": [<object, already pruned and defaulted>, ...]}
// Prints one JSON line per object: {"evaluated": N, "failures": [{"field", "rule", "message", "why"}]}
// (field as the API server names it: "spec.consumers.deployments[0]"; "" for the root).
// Exit 0 when every rule ran (failing or not), 2 when the check itself cannot run.
"use strict";
const fs = require("fs");
const path = require("path");

function load(celDir) {
  const { createRequire } = require("module");
  return createRequire(path.join(celDir, "cel-check.cjs"))("@bufbuild/cel");
}

function toCel(v) {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === "object") return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  return v;
}

function child(field, key) { return field === "" ? key : `${field}.${key}`; }

function walk(cel, schema, value, field, out) {
  if (value === undefined || value === null || !schema || typeof schema !== "object") return;
  for (const rule of schema["x-kubernetes-validations"] || []) {
    out.evaluated++;
    let result;
    try {
      result = cel.run(rule.rule, { self: toCel(value) });
    } catch (e) {
      result = e;
    }
    if (result !== true) {
      const why = result === false ? "false" : `error: ${result && result.message ? result.message : String(result)}`;
      out.failures.push({ field, rule: rule.rule, message: rule.message || `failed rule: ${rule.rule}`, why });
    }
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(cel, schema.items, item, `${field}[${i}]`, out));
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (field === "" && (k === "metadata" || k === "apiVersion" || k === "kind")) continue;
      const props = schema.properties || {};
      const sub = Object.prototype.hasOwnProperty.call(props, k) ? props[k] : schema.additionalProperties;
      walk(cel, sub, v, child(field, k), out);
    }
  }
}

function main(argv) {
  if (argv.length !== 4) {
    process.stderr.write("usage: node cel-check.cjs CEL_DIR INPUT.json\n");
    return 2;
  }
  let cel, input;
  try {
    cel = load(argv[2]);
    input = JSON.parse(fs.readFileSync(argv[3], "utf8"));
  } catch (e) {
    process.stdout.write(`CHECK-FAILED ${e.message}\n`);
    return 2;
  }
  for (const object of input.objects) {
    const out = { evaluated: 0, failures: [] };
    walk(cel, input.schema, object, "", out);
    process.stdout.write(JSON.stringify(out) + "\n");
  }
  return 0;
}

process.exitCode = main(process.argv);
