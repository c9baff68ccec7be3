// The core's SecretStore backed by VS Code's SecretStorage (the OS keychain where available): the only place session
// credentials are persisted, so a window reload keeps live sessions.
import type * as vscode from 'vscode';
import type { SecretStore } from '../core/session/types';

export class VsCodeSecretStore implements SecretStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(key: string): Promise<string | undefined> {
    return this.secrets.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    await this.secrets.store(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.secrets.delete(key);
  }
}
