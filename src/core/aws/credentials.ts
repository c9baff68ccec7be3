// Base credentials (the identity that is allowed to assume a break-glass role) and what the UI needs to know about a
// profile before asking for an MFA code: which MFA device, which region, and whether the base credentials are
// themselves a role session (then AWS caps the break-glass session at 1 hour: role chaining).
//
// Credentials come from @aws-sdk/credential-providers (fromIni honours source_profile, role_arn, mfa_serial via the
// mfaCodeProvider callback, duration_seconds, region and sso_*; fromSSO; fromEnv; the default chain). Profile
// metadata is read with a small INI reader from ~/.aws/config and ~/.aws/credentials, honouring AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE — the same files, in the same way, as the SDK.
import { fromEnv, fromIni, fromNodeProviderChain, fromSSO } from '@aws-sdk/credential-providers';
import type { CredentialsInput } from './clients';

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

// Profile metadata lives in profiles.ts (no SDK import); re-exported for callers that already load the SDK.
export * from './profiles';
