/** An in-memory `SecretsStore` for unit tests of code that stores credentials (the real one is a Pulumi stack). */
import { checkSecretName, type SecretsStore } from "../../stacks/secrets-store.js";

export class MemorySecretsStore implements SecretsStore {
  readonly values = new Map<string, string>();
  constructor(readonly environment = "dev") {}
  async get(name: string): Promise<string | undefined> {
    checkSecretName(name);
    return this.values.get(name);
  }
  async getMany(names: string[]): Promise<Record<string, string>> {
    return Object.fromEntries(names.filter((n) => this.values.has(n)).map((n) => [n, this.values.get(n) as string]));
  }
  async set(name: string, value: string): Promise<void> {
    checkSecretName(name);
    this.values.set(name, value);
  }
  async setMany(values: Record<string, string>): Promise<void> {
    for (const [k, v] of Object.entries(values)) await this.set(k, v);
  }
  async list(): Promise<string[]> {
    return [...this.values.keys()].sort();
  }
  async remove(name: string): Promise<boolean> {
    return this.values.delete(name);
  }
}
