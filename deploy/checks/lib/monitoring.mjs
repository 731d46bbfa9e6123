// Dashboard and alert-rule helpers for run-checks.sh and update-generated.sh.
//   node monitoring.mjs dashboard-ts DASHBOARD.json OUT_DIR   the dashboard as a typed TS literal + tsconfig
//   node monitoring.mjs dashboard-rules DASHBOARD.json OUT    every panel expression as a recording rule
//   node monitoring.mjs prometheus-rules RENDERED.yaml OUT    the PrometheusRule's spec as a Prometheus rules file
//   node monitoring.mjs metrics-used DASHBOARD.json RULES_TEMPLATE...   every fedgan_* name, sorted, one a line
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

const [cmd, input, out, ...rest] = process.argv.slice(2);

// Grafana's variables, replaced by plain values so that promtool can parse the expressions.
function substitute(expr) {
  return expr
    .replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$__range', '6h')
    .replace(/\$\{(\w+)(:\w+)?\}/g, 'var_$1').replace(/\$(\w+)/g, 'var_$1');
}

function panelsOf(dashboard) {
  const all = [];
  const visit = (ps) => (ps || []).forEach((p) => { all.push(p); visit(p.panels); });
  visit(dashboard.panels);
  return all;
}

if (cmd === 'dashboard-ts') {
  const json = fs.readFileSync(input, 'utf8');
  JSON.parse(json);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'dashboard.check.ts'),
    `import type { Dashboard } from '@grafana/schema';\n\nexport const dashboard: Dashboard = ${json.trim()};\n`);
  fs.writeFileSync(path.join(out, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, skipLibCheck: true, target: 'es2022', module: 'esnext',
      moduleResolution: 'bundler', typeRoots: [], types: [],
    },
    files: ['dashboard.check.ts'],
  }, null, 2));
} else if (cmd === 'dashboard-rules') {
  const dashboard = JSON.parse(fs.readFileSync(input, 'utf8'));
  const rules = [];
  for (const p of panelsOf(dashboard)) {
    for (const t of p.targets || []) {
      if (!t.expr) throw new Error(`panel "${p.title}" target ${t.refId} has no expr`);
      rules.push({ record: `dashboard:panel_${p.id}_${t.refId}`, expr: substitute(t.expr) });
    }
  }
  if (rules.length === 0) throw new Error('no expressions in the dashboard');
  fs.writeFileSync(out, yaml.dump({ groups: [{ name: 'dashboard', rules }] }, { lineWidth: -1 }));
  console.log(`${rules.length} dashboard expressions`);
} else if (cmd === 'prometheus-rules') {
  const docs = yaml.loadAll(fs.readFileSync(input, 'utf8')).filter((d) => d && d.kind === 'PrometheusRule');
  if (docs.length !== 1) throw new Error(`${input}: expected one PrometheusRule, found ${docs.length}`);
  fs.writeFileSync(out, yaml.dump(docs[0].spec, { lineWidth: -1 }));
} else if (cmd === 'metrics-used') {
  const names = new Set();
  for (const f of [input, out, ...rest].filter(Boolean)) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/\bfedgan_[a-z0-9_]*[a-z0-9]\b/g)) names.add(m[0]);
  }
  process.stdout.write([...names].sort().join('\n') + '\n');
} else {
  console.error('usage: node monitoring.mjs dashboard-ts|dashboard-rules|prometheus-rules|metrics-used ...');
  process.exit(2);
}
