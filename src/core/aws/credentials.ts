// Base credentials (the identity that is allowed to assume a break-glass role) and what the UI needs to know about a
// profile before asking for an MFA code: which MFA device, which region, and whether the base credentials are
// themselves a role session (then AWS caps the break-glass session at 1 hour: role chaining).
//
// Credentials come from @aws-sdk/credential-providers (fromIni honours source_profile, role_arn, mfa_serial via the
// mfaCodeProvider callback, duration_seconds, region and sso_*; fromSSO; fromEnv; the default chain). Profile
// metadata is read with a small INI reader from ~/.aws/config and ~/.aws/credentials, honouring AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE — the same files, in the same way, as the SDK.
import type * as Providers from '@aws-sdk/credential-providers';
import type { CredentialsInput } from './clients';
import { readProfile, sharedFilePaths, type ProfileInfo } from './profiles';

export type CredentialSource =
  | { kind: 'profile'; profile: string }
  | { kind: 'sso'; profile: string }
  | { kind: 'env' }
  | { kind: 'default' };

export interface BaseCredentialOptions {
  source: CredentialSource;
  /** Called when a profile has mfa_serial (profile-level MFA, before the break-glass AssumeRole). */
  mfaCodeProvider?: (mfaSerial: string) => Promise<string>;
  /** Region/endpoint for the STS calls a role profile makes (source_profile → role_arn). */
  region?: string;
  endpointUrl?: string;
}

/** A credential provider for the chosen base identity. Nothing is fetched until the SDK asks. */
export function baseCredentials(opts: BaseCredentialOptions): NonNullable<CredentialsInput> {
  // Loaded here, not at the top: keys in the environment (the common case on a jump host) need none of it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { fromEnv, fromIni, fromNodeProviderChain, fromSSO } = require('@aws-sdk/credential-providers') as typeof Providers;
  const clientConfig = {
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
  };
  switch (opts.source.kind) {
    case 'profile':
      return fromIni({ profile: opts.source.profile, mfaCodeProvider: opts.mfaCodeProvider, clientConfig });
    case 'sso':
      return fromSSO({ profile: opts.source.profile, clientConfig });
    case 'env':
      return fromEnv();
    default:
      return fromNodeProviderChain({ mfaCodeProvider: opts.mfaCodeProvider, clientConfig });
  }
}

export interface BaseIdentityOptions {
  /** An explicitly chosen profile (the extension's sourceProfile setting, the CLI's --profile). */
  profile?: string;
  /** The environment to read keys and AWS_PROFILE from (the CLI's io.env; process.env in the extension). */
  env?: NodeJS.ProcessEnv;
  mfaCodeProvider?: (mfaSerial: string) => Promise<string>;
  region?: string;
  endpointUrl?: string;
}

export interface BaseIdentity {
  credentials: NonNullable<CredentialsInput>;
  /** Where they come from, for logs and messages (never a secret). */
  description: string;
  /** The profile used, with its metadata (region, mfa_serial), when one is. */
  profile?: ProfileInfo;
}

/**
 * The ONE rule for the base credentials of an elevation, used by both front ends, in the order the SDK's default chain
 * uses: an explicitly chosen profile; else keys in the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN); else AWS_PROFILE; else the default chain (SSO, web identity, container and instance roles).
 * Whether they are a role session (role chaining) is not guessed here: the elevation asks sts:GetCallerIdentity.
 */
export async function chooseBaseCredentials(opts: BaseIdentityOptions): Promise<BaseIdentity> {
  const env = opts.env ?? process.env;
  const common = { mfaCodeProvider: opts.mfaCodeProvider, region: opts.region, endpointUrl: opts.endpointUrl };
  if (opts.profile) {
    const profile = await readProfile(opts.profile, env);
    if (!profile) {
      throw new Error(`The AWS profile '${opts.profile}' is not defined in ${sharedFilePaths(env).config} or ${sharedFilePaths(env).credentials}; choose a profile that exists.`);
    }
    return { credentials: baseCredentials({ source: { kind: 'profile', profile: opts.profile }, ...common }), description: `profile ${opts.profile}`, profile };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      },
      description: 'environment variables',
    };
  }
  if (env.AWS_PROFILE) {
    const profile = await readProfile(env.AWS_PROFILE, env);
    return { credentials: baseCredentials({ source: { kind: 'profile', profile: env.AWS_PROFILE }, ...common }), description: `profile ${env.AWS_PROFILE} (AWS_PROFILE)`, ...(profile ? { profile } : {}) };
  }
  return { credentials: baseCredentials({ source: { kind: 'default' }, ...common }), description: 'default credential chain' };
}

// Profile metadata lives in profiles.ts (no SDK import); re-exported for callers that already load the SDK.
export * from './profiles';
