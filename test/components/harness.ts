/**
 * Pulumi mocks that record every registered resource: type, name, parent, provider, the
 * resources it depends on, and its inputs twice: deserialised (plain values) and raw (with Pulumi's
 * secret markers, so a test can tell whether an input was a secret).
 *
 * The parent and dependencies are not part of `MockResourceArgs`, so the recorder wraps the mock
 * monitor's `registerResource` to read them from the request.
 */
import * as pulumi from "@pulumi/pulumi";

/** Pulumi's marker for a secret value in serialised properties. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  /** Name of the parent resource, or "" for the stack. */
  parent: string;
  /** Name of the explicit provider resource, or "" for the default provider. */
  provider: string;
  /** Names of the resources this one depends on. */
  dependsOn: string[];
  inputs: Record<string, unknown>;
  raw: Record<string, unknown>;
  custom: boolean;
}

/** A fake kubeconfig every provisioner's read-back returns under mocks. */
export const FAKE_KUBECONFIG = [
  "apiVersion: v1",
  "kind: Config",
  "current-context: test",
  "contexts: [{name: test, context: {cluster: test, user: test}}]",
  "clusters: [{name: test, cluster: {server: 'https://127.0.0.1:6443'}}]",
  "users: [{name: test, user: {token: t}}]",
].join("\n");

const nameOfUrn = (urn: string) => (urn ? (urn.split("::").pop() ?? "") : "");
const typeOfUrn = (urn: string) => (urn ? (urn.split("::")[2]?.split("$").pop() ?? "") : "");

/** Sets fresh mocks and returns the list that fills as resources register. */
export async function recordResources(): Promise<RecordedResource[]> {
  const recorded: RecordedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const state: Record<string, unknown> = { ...args.inputs };
        delete state.__provider;
        if (args.type === "pulumi-nodejs:dynamic/cto:GeneratedSecret") state.value = `generated-${args.name}`;
        if (args.type === "pulumi-nodejs:dynamic/cto:SimulatedKubeconfig") state.kubeconfig = FAKE_KUBECONFIG;
        if (args.type.startsWith("command:") && /kubeconfig$/.test(args.name)) state.stdout = FAKE_KUBECONFIG;
        return { id: args.custom ? `${args.name}-id` : undefined, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    "cto",
    "dev",
    true,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res: unknown) => void): void;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    original(req, (err: unknown, res: unknown) => {
      if (!err) {
        const raw = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        const { __provider: _p, ...inputs } = stripSecrets(raw) as Record<string, unknown>;
        const { __provider: _q, ...rawInputs } = raw;
        recorded.push({
          type: req.getType(),
          name: req.getName(),
          urn: (res as { getUrn(): string }).getUrn(),
          parent: nameOfUrn(req.getParent()),
          provider: providerName(req.getProvider()),
          dependsOn: req.getDependenciesList().map(nameOfUrn).sort(),
          inputs,
          raw: rawInputs,
          custom: req.getCustom(),
        });
      }
      cb(err, res);
    });
  };
  return recorded;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getObject(): { toJavaScript(): unknown } | undefined;
}

/** `urn::id` of a provider reference → the provider resource's name. */
function providerName(ref: string): string {
  if (!ref) return "";
  const urn = ref.split("::").slice(0, -1).join("::");
  return typeOfUrn(urn) ? nameOfUrn(urn) : "";
}

/** Waits until every registration has been answered. */
export async function settle(): Promise<void> {
  await pulumi.runtime.disconnect();
}

/** Replaces secret markers by their values (what a resource receives). */
export function stripSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return stripSecrets(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, stripSecrets(v)]));
  }
  return value;
}

/** True when the raw input at `path` (dot-separated, or the keys) is a Pulumi secret or lies inside one. */
export function isSecretAt(raw: unknown, path: string | string[]): boolean {
  let node: unknown = raw;
  for (const key of Array.isArray(path) ? path : path.split(".")) {
    if (isSecretMarker(node)) return true;
    if (!node || typeof node !== "object") return false;
    node = (node as Record<string, unknown>)[key];
  }
  return isSecretMarker(node);
}

function isSecretMarker(node: unknown): boolean {
  return !!node && typeof node === "object" && (node as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Every string anywhere in a value, for scans. */
export function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) allStrings(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) allStrings(v, out);
  return out;
}

/** The one recorded resource with this type and name; throws with the candidates otherwise. */
export function find(recorded: RecordedResource[], type: string, name: string): RecordedResource {
  const hits = recorded.filter((r) => r.type === type && r.name === name);
  if (hits.length !== 1) {
    const names = recorded.filter((r) => r.type === type).map((r) => r.name);
    throw new Error(`expected one ${type} named ${name}, found ${hits.length}; ${type}: ${names.join(", ")}`);
  }
  return hits[0] as RecordedResource;
}
