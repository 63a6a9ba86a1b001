/**
 * Reads a kubeconfig that a local provisioning command wrote (kind, single-node k3s) back into
 * Pulumi as a secret. The path travels as an environment variable, never spliced into the command
 * text, and the content is kept out of the engine's logs (`logging: stderr`).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/** `<name>-kubeconfig`: re-read whenever `writer` is replaced. */
export function readLocalKubeconfig(
  name: string,
  kubeconfigPath: string,
  writer: command.local.Command,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const read = new command.local.Command(
    `${name}-kubeconfig`,
    {
      create: 'cat "$KUBECONFIG_PATH"',
      environment: { KUBECONFIG_PATH: kubeconfigPath },
      logging: "stderr",
      triggers: [writer.id],
    },
    { parent, dependsOn: [writer], additionalSecretOutputs: ["stdout"] },
  );
  return pulumi.secret(read.stdout);
}
