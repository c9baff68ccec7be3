// AWS partitions: which one a region or an ARN belongs to, and where each partition's global IAM endpoint lives.
import type { Partition } from '../config';

export type { Partition };

/** The partition of a region: cn-* → aws-cn, us-gov-* → aws-us-gov, everything else → aws. */
export function partitionOfRegion(region: string | undefined): Partition {
  if (!region) return 'aws';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The partition named by an ARN, or undefined when the text is not an ARN of a known partition. */
export function partitionOfArn(arn: string): Partition | undefined {
  const m = /^arn:(aws|aws-cn|aws-us-gov):/.exec(arn);
  return m ? (m[1] as Partition) : undefined;
}

/** IAM is a global service; its signing region differs per partition. */
export function iamRegion(partition: Partition): string {
  switch (partition) {
    case 'aws-cn': return 'cn-north-1';
    case 'aws-us-gov': return 'us-gov-west-1';
    default: return 'us-east-1';
  }
}

/** A sensible default region for a partition when nothing else is configured. */
export function defaultRegion(partition: Partition): string {
  return iamRegion(partition);
}

export interface ParsedArn {
  partition: Partition;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:(aws|aws-cn|aws-us-gov):([^:]+):([^:]*):(\d{12}|aws)?:(.+)$/.exec(arn);
  if (!m) return undefined;
  return { partition: m[1] as Partition, service: m[2], region: m[3], accountId: m[4] ?? '', resource: m[5] };
}

export interface ParsedRoleArn {
  partition: Partition;
  accountId: string;
  /** Path including leading and trailing slash, e.g. "/" or "/incident/". */
  path: string;
  roleName: string;
}

export const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role(\/(?:[\u0021-\u007E]*\/)?)([\w+=,.@-]{1,64})$/;

export function parseRoleArn(arn: string): ParsedRoleArn | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1] as Partition, accountId: m[2], path: m[3], roleName: m[4] };
}
