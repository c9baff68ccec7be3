// One AwsClients for the current settings (profile, region, endpoint override), rebuilt when those settings change,
// plus what the elevation flow needs to know about the base identity (MFA device, role chaining).
// The AWS SDK (about three quarters of the extension bundle) is loaded on first use, not at activation: opening the
// view or previewing a playbook never needs it, and Elevate starts loading it while the responder answers the steps.
import * as vscode from 'vscode';
import type { AwsClients } from '../core/aws/clients';
import type { MfaSerialCache } from '../core/aws/discovery';
import { readProfile, type ProfileInfo } from '../core/aws/profiles';
import type { Logger } from '../core/log';
import { onSettingsChanged, readSettings } from './settings';

const MFA_SERIAL_KEY = 'breakglass.mfaSerial';

export class AwsAccess implements vscode.Disposable {
  private clients_: AwsClients | undefined;
  private mfaCache: MfaSerialCache | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly state: vscode.Memento, private readonly log: Logger) {
    this.subscription = onSettingsChanged(['sourceProfile', 'endpointUrl', 'region'], () => this.reset());
  }

  private loading: Promise<AwsClients> | undefined;
  /** Bumped when settings change, so a load started before the change is not cached after it. */
  private generation = 0;

  /** The cached clients for the current settings. Creating them makes no network call. */
  clients(): Promise<AwsClients> {
    if (this.clients_) return Promise.resolve(this.clients_);
    const generation = this.generation;
    this.loading ??= (async () => {
      const [{ AwsClients }, { chooseBaseCredentials }] = await Promise.all([import('../core/aws/clients'), import('../core/aws/credentials')]);
      const s = readSettings();
      // The one rule for base credentials (core): the source profile, else environment keys, AWS_PROFILE, the chain.
      const base = await chooseBaseCredentials({
        profile: s.sourceProfile || undefined, env: process.env, region: s.region || undefined, endpointUrl: s.endpointUrl || undefined,
        mfaCodeProvider: (serial) => promptProfileMfa(serial),
      });
      const clients = new AwsClients({ region: s.region || undefined, endpointUrl: s.endpointUrl || undefined, credentials: base.credentials });
      this.log.info(`AWS clients: ${base.description}` +
        `${s.region ? `, region ${s.region}` : ''}${s.endpointUrl ? `, endpoint ${s.endpointUrl}` : ''}`);
      if (generation === this.generation) {
        this.clients_ = clients;
        this.loading = undefined;
      }
      return clients;
    })();
    return this.loading;
  }

  /** The source profile's metadata (mfa_serial, region, role chaining), if a profile is configured. */
  async profile(): Promise<ProfileInfo | undefined> {
    const name = readSettings().sourceProfile;
    if (!name) return undefined;
    try {
      return await readProfile(name);
    } catch (e) {
      this.log.warn(`could not read AWS profile ${name}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /**
   * The MFA device for the elevation: the profile's mfa_serial, else the one remembered from an earlier discovery,
   * else iam:ListMFADevices once (remembered: a serial is not a secret).
   */
  async mfaSerial(): Promise<string | undefined> {
    const fromProfile = (await this.profile())?.mfaSerial;
    if (fromProfile) return fromProfile;
    const remembered = this.state.get<string>(MFA_SERIAL_KEY);
    if (remembered) return remembered;
    if (!this.mfaCache) {
      const [{ MfaSerialCache: Cache }, clients] = await Promise.all([import('../core/aws/discovery'), this.clients()]);
      this.mfaCache = new Cache(clients.iam());
    }
    const found = await this.mfaCache.get();
    if (found) {
      await this.state.update(MFA_SERIAL_KEY, found);
      this.log.info(`MFA device discovered: ${found}`);
    }
    return found;
  }

  async rememberMfaSerial(serial: string): Promise<void> {
    await this.state.update(MFA_SERIAL_KEY, serial);
  }

  private reset(): void {
    this.clients_?.destroy();
    this.clients_ = undefined;
    this.loading = undefined;
    this.generation++;
    this.mfaCache = undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.reset();
  }
}

async function promptProfileMfa(serial: string): Promise<string> {
  const code = await vscode.window.showInputBox({
    title: 'Break Glass: MFA for your AWS profile',
    prompt: `Your source profile assumes a role with MFA device ${serial}. Enter its current 6-digit code.`,
    placeHolder: '123456',
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d{6}$/.test(v.trim()) ? undefined : 'Enter the 6 digits your MFA device shows.'),
  });
  if (!code) throw new Error('MFA code for the source profile was not entered.');
  return code.trim();
}
