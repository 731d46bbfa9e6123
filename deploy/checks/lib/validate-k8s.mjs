// Validates every document of the given multi-document YAML files with the JSON schemas of npm
// kubernetes-models (missing required fields, wrong types, bad enum values): core kinds, Prometheus Operator and
// KEDA. Strimzi kinds have no npm schema: DeploymentManifestsTest checks them with Strimzi's Java model.
// Usage: node validate-k8s.mjs FILE.yaml...
import fs from 'node:fs';
import yaml from 'js-yaml';

const packages = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'keda.sh': '@kubernetes-models/keda',
};
const javaModelOnly = new Set(['kafka.strimzi.io/v1beta2/Kafka', 'kafka.strimzi.io/v1beta2/KafkaNodePool',
  'kafka.strimzi.io/v1beta2/KafkaTopic', 'kafka.strimzi.io/v1beta2/KafkaUser']);

function modulePath(apiVersion, kind) {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return `kubernetes-models/${apiVersion}/${kind}`;
  const group = apiVersion.slice(0, slash);
  if (packages[group]) return `${packages[group]}/${apiVersion}/${kind}`;
  if (!group.includes('.') || group.endsWith('.k8s.io')) return `kubernetes-models/${apiVersion}/${kind}`;
  return null;
}

let failures = 0, checked = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  const docs = yaml.loadAll(fs.readFileSync(file, 'utf8')).filter((d) => d && typeof d === 'object');
  if (docs.length === 0) { console.error(`${file}: no manifests`); failures++; }
  for (const doc of docs) {
    const id = `${file}: ${doc.kind} ${doc.metadata?.name}`;
    const key = `${doc.apiVersion}/${doc.kind}`;
    if (javaModelOnly.has(key)) { skipped++; continue; }
    const path = modulePath(String(doc.apiVersion), String(doc.kind));
    let Model;
    try {
      Model = path && (await import(path))[doc.kind];
    } catch (e) {
      Model = undefined;
    }
    if (!Model) { console.error(`${id}: no schema for ${key}`); failures++; continue; }
    try {
      new Model(doc).validate();
      checked++;
    } catch (e) {
      console.error(`${id}: ${e.message}`);
      failures++;
    }
  }
}
console.log(`kubernetes-models: ${checked} manifests valid, ${skipped} Strimzi manifests left to the Java model, ${failures} problems`);
process.exit(failures ? 1 : 0);
