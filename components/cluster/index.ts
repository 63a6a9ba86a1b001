/** The Cluster component and its provisioners. */
export { Cluster, provisionCluster, type ClusterArgs } from "./cluster.js";
export { createKind, kindConfig, type KindLocalRegistry } from "./kind.js";
export { kubeconfigEndpoint, pointKubeconfigAt } from "./kubeconfig.js";
export { KubeconfigFile, type KubeconfigFileArgs } from "./kubeconfig-file.js";
export { createLocalK3s } from "./local-k3s.js";
export { createMinikube } from "./minikube.js";
export {
  createRemoteK3s,
  remoteK3sScript,
  remoteK3sUninstall,
  type K3sHostBinary,
  type SshAccess,
} from "./remote-k3s.js";
export { SimulatedCluster, SimulatedKubeconfig, type SimulatedClusterArgs } from "./simulated.js";
