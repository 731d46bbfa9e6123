// Compares two multi-document YAML files as sets of manifests (key order and document order ignored; a
// missing metadata.namespace counts as "fedgan", the namespace deploy/k8s sets).
// Usage: node same-manifests.mjs A.yaml B.yaml
import fs from 'node:fs';
import yaml from 'js-yaml';

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}
function load(file) {
  return yaml.loadAll(fs.readFileSync(file, 'utf8')).filter(Boolean).map((d) => {
    d.metadata.namespace ??= 'fedgan';
    return [`${d.kind}/${d.metadata.name}`, JSON.stringify(canonical(d))];
  });
}
const [a, b] = process.argv.slice(2).map((f) => new Map(load(f)));
let diffs = 0;
for (const k of new Set([...a.keys(), ...b.keys()])) {
  if (!a.has(k)) { console.log(`only in ${process.argv[3]}: ${k}`); diffs++; }
  else if (!b.has(k)) { console.log(`only in ${process.argv[2]}: ${k}`); diffs++; }
  else if (a.get(k) !== b.get(k)) { console.log(`differs: ${k}`); diffs++; }
}
console.log(diffs ? `${diffs} manifests differ` : `${a.size} manifests identical`);
process.exit(diffs ? 1 : 0);
