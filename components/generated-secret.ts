/**
 * `GeneratedSecret`: a random string generated once, kept in the stack state as a Pulumi secret,
 * and returned unchanged by every later update.
 *
 * Why not `@pulumi/random`: its provider plugin cannot be obtained on machines without access to
 * Pulumi's plugin downloads (the Go module proxy refuses the pulumi-random provider module, so the
 * project's offline toolchain cannot build it), and every user install would otherwise download one
 * more plugin just to make a password. This is a Node dynamic provider instead: it runs inside the
 * `pulumi-resource-pulumi-nodejs` plugin that ships with `@pulumi/pulumi`, and draws its bytes
 * from `node:crypto`.
 *
 * Stability: `diff` reports a change only when `length` or `alphabet` change (then the value is
 * replaced); `update` is never needed, so the value generated at create time stays in the state
 * until the resource is replaced or deleted. `value` is registered as an additional secret output,
 * so it is encrypted in state and shown as `[secret]` in previews.
 */
import * as pulumi from "@pulumi/pulumi";

/** Letters and digits: safe in URLs, YAML, shell variables and HTTP headers. */
export const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export interface GeneratedSecretArgs {
  /**
   * Number of characters.
   * @default 32
   */
  length?: number;
  /**
   * Characters to draw from (at most 256 distinct characters).
   * @default ALPHANUMERIC
   */
  alphabet?: string;
}

interface ProviderInputs {
  length: number;
  alphabet: string;
}

/**
 * The dynamic provider. It must not capture module-level bindings: Pulumi serialises these
 * functions into the state and runs them in the provider plugin, so `node:crypto` is imported
 * inside `create`.
 */
export const generatedSecretProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: ProviderInputs): Promise<pulumi.dynamic.CreateResult> {
    const crypto = await import("node:crypto");
    const chars = inputs.alphabet;
    // Rejection sampling: bytes at or above the largest multiple of the alphabet size are
    // dropped, so every character is equally likely.
    const limit = 256 - (256 % chars.length);
    let value = "";
    while (value.length < inputs.length) {
      for (const byte of crypto.randomBytes(inputs.length * 2)) {
        if (byte < limit && value.length < inputs.length) value += chars[byte % chars.length];
      }
    }
    return { id: crypto.randomUUID(), outs: { length: inputs.length, alphabet: inputs.alphabet, value } };
  },
  async diff(_id: string, olds: ProviderInputs, news: ProviderInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = (["length", "alphabet"] as const).filter((key) => olds[key] !== news[key]);
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },
};

/** A random secret string, generated once and stable across updates (see the module comment). */
export class GeneratedSecret extends pulumi.dynamic.Resource {
  /** The generated value (a Pulumi secret). */
  declare public readonly value: pulumi.Output<string>;
  declare public readonly length: pulumi.Output<number>;

  constructor(name: string, args: GeneratedSecretArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    const length = args.length ?? 32;
    const alphabet = args.alphabet ?? ALPHANUMERIC;
    if (!Number.isInteger(length) || length < 8 || length > 256) {
      throw new Error(`GeneratedSecret ${name}: length must be a whole number from 8 to 256, got ${length}`);
    }
    if (new Set(alphabet).size !== alphabet.length || alphabet.length < 2 || alphabet.length > 256) {
      throw new Error(`GeneratedSecret ${name}: alphabet must hold 2 to 256 distinct characters`);
    }
    super(
      generatedSecretProvider,
      name,
      { length, alphabet, value: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["value"] }),
      "cto",
      "GeneratedSecret",
    );
  }
}
