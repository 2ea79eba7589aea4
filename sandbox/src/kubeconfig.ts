import { KubeConfig } from '@kubernetes/client-node';
import { sandboxEnv } from './env';

/** The bearer token of a sandbox kubeconfig's current user (each identity has one). */
export function kubeconfigToken(kubeconfig: string): string {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  const token = config.getCurrentUser()?.token;
  if (!token) throw new Error(`no token for the current user of ${kubeconfig}`);
  return token;
}

/**
 * A cluster entry of `kubernetes.clusterLocatorMethods` for a sandbox API server (the `k8s`
 * part's unless `server` is given), authenticated with the token of `kubeconfig`'s user.
 */
export function sandboxCluster(
  name: string,
  kubeconfig: string,
  server: { url: string; caFile: string } = sandboxEnv().k8s,
) {
  return {
    name,
    url: server.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: kubeconfigToken(kubeconfig),
    caFile: server.caFile,
  };
}
