// Splits two renders of the chart (CPU and GPU values) into a kustomize base (the manifests both renders share,
// byte for byte) and two overlays (the manifests that differ). Usage: node k8s-split.mjs CPU.yaml GPU.yaml OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

const [cpuFile, gpuFile, outDir] = process.argv.slice(2);
const header = '# Generated from helm/fedgan by deploy/checks/update-generated.sh: do not edit (the build checks it).\n';

function documents(file) {
  const docs = new Map();
  for (let text of fs.readFileSync(file, 'utf8').split(/^---\s*$/m)) {
    text = text.replace(/^\s*\n/, '').trimEnd() + '\n';
    const doc = yaml.load(text);
    if (!doc || typeof doc !== 'object') continue;
    const name = `${doc.kind.toLowerCase()}-${doc.metadata.name}.yaml`;
    if (docs.has(name)) throw new Error(`${file}: ${name} twice`);
    docs.set(name, text.split('\n').filter((l) => !l.startsWith('# Source: ')).join('\n'));
  }
  return docs;
}

const cpu = documents(cpuFile), gpu = documents(gpuFile);
const base = [...cpu.keys()].filter((n) => gpu.get(n) === cpu.get(n)).sort();
fs.rmSync(outDir, { recursive: true, force: true });
function write(dir, docs, names, resources) {
  fs.mkdirSync(path.join(outDir, dir), { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(outDir, dir, n), header + docs.get(n));
  const k = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
  k.namespace = 'fedgan';
  fs.writeFileSync(path.join(outDir, dir, 'kustomization.yaml'), header + yaml.dump(k));
}
write('base', cpu, base, base);
for (const [dir, docs] of [['overlays/cpu', cpu], ['overlays/gpu', gpu]]) {
  const own = [...docs.keys()].filter((n) => !base.includes(n)).sort();
  write(dir, docs, own, ['../../base', ...own]);
}
console.log(`deploy/k8s: ${base.length} base manifests, ${cpu.size - base.length} cpu-only, ${gpu.size - base.length} gpu-only`);
