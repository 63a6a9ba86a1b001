/**
 * `KubeconfigFile`: writes a kubeconfig to a path on this machine with mode 0600 (its directory
 * 0700 when created), rewrites it when the content or path changes, and removes it on delete.
 *
 * The cluster's kubeconfig is a secret output; commands such as `cto status` and the user's
 * kubectl read it from the plan's `kubeconfigPath`. A Node dynamic provider does the writing
 * because it needs no plugin (the `command` plugin cannot be built offline, and the simulated
 * cluster must work without it). The provider functions capture nothing from this module: Pulumi
 * serialises them into the state, so `node:fs` is imported inside each.
 *
 * Exception to the layering (docs/architecture.md): unlike other components, this file writes a
 * file, because its provider runs in the engine's process.
 */
import * as pulumi from "@pulumi/pulumi";

export interface KubeconfigFileArgs {
  /** Absolute path of the file. */
  path: pulumi.Input<string>;
  /** The kubeconfig text (secret). */
  content: pulumi.Input<string>;
}

interface FileInputs {
  path: string;
  content: string;
}

export const kubeconfigFileProvider: pulumi.dynamic.ResourceProvider<FileInputs, FileInputs> = {
  async check(_olds, news) {
    const failures =
      typeof news.path === "string" && news.path.startsWith("/")
        ? []
        : [{ property: "path", reason: "must be an absolute file path" }];
    return { inputs: news, failures };
  },
  async create(inputs) {
    const fs = await import("node:fs/promises");
    const nodePath = await import("node:path");
    await fs.mkdir(nodePath.dirname(inputs.path), { recursive: true, mode: 0o700 });
    // Write to a private temporary file first, then rename: readers never see a partial file.
    const temporary = `${inputs.path}.tmp-${process.pid}`;
    await fs.writeFile(temporary, inputs.content, { mode: 0o600 });
    await fs.chmod(temporary, 0o600);
    await fs.rename(temporary, inputs.path);
    return { id: inputs.path, outs: inputs };
  },
  async diff(_id, olds, news) {
    const changes = olds.path !== news.path || olds.content !== news.content;
    return { changes, replaces: olds.path !== news.path ? ["path"] : [], deleteBeforeReplace: false };
  },
  async update(_id, _olds, news) {
    const fs = await import("node:fs/promises");
    const temporary = `${news.path}.tmp-${process.pid}`;
    await fs.writeFile(temporary, news.content, { mode: 0o600 });
    await fs.chmod(temporary, 0o600);
    await fs.rename(temporary, news.path);
    return { outs: news };
  },
  async delete(_id, props) {
    const fs = await import("node:fs/promises");
    await fs.rm(props.path, { force: true });
  },
};

/** A kubeconfig file on this machine, owned by the stack (see the module comment). */
export class KubeconfigFile extends pulumi.dynamic.Resource {
  declare public readonly path: pulumi.Output<string>;

  constructor(name: string, args: KubeconfigFileArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      kubeconfigFileProvider,
      name,
      { path: args.path, content: pulumi.secret(args.content) },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["content"] }),
      "cto",
      "KubeconfigFile",
    );
  }
}
