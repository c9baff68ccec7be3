// One AwsClients for the current settings (profile, region, endpoint override), rebuilt when those settings change,
// plus what the elevation flow needs to know about the base identity (MFA device, role chaining).
import * as vscode from 'vscode';
import { AwsClients } from '../core/aws/clients';
import { baseCredentials, readProfile, type ProfileInfo } from '../core/aws/credentials';
import { MfaSerialCache } from '../core/aws/discovery';
import type { Logger } from '../core/log';
import { onSettingsChanged, readSettings } from './settings';

const MFA_SERIAL_KEY = 'breakglass.mfaSerial';

export class AwsAccess implements vscode.Disposable {
  private clients: AwsClients | undefined;
  private mfaCache: MfaSerialCache | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly state: vscode.Memento, private readonly log: Logger) {
    this.subscription = onSettingsChanged(['sourceProfile', 'endpointUrl', 'region'], () => this.reset());
  }

  /** The cached clients for the current settings. Creating them makes no network call. */
  get(): AwsClients {
    if (!this.clients) {
      const s = readSettings();
      const source = s.sourceProfile ? { kind: 'profile' as const, profile: s.sourceProfile } : { kind: 'default' as const };
      this.clients = new AwsClients({
        region: s.region || undefined,
        endpointUrl: s.endpointUrl || undefined,
        credentials: baseCredentials({
          source,
          region: s.region || undefined,
          endpointUrl: s.endpointUrl || undefined,
          mfaCodeProvider: (serial) => promptProfileMfa(serial),
        }),
      });
      this.log.info(`AWS clients: ${s.sourceProfile ? `profile ${s.sourceProfile}` : 'default credential chain'}` +
        `${s.region ? `, region ${s.region}` : ''}${s.endpointUrl ? `, endpoint ${s.endpointUrl}` : ''}`);
    }
    return this.clients;
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
    this.mfaCache ??= new MfaSerialCache(this.get().iam());
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
    this.clients?.destroy();
    this.clients = undefined;
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
