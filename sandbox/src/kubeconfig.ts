import { KubeConfig } from '@kubernetes/client-node';

/** The bearer token of a sandbox kubeconfig's current user (each identity has one). */
export function kubeconfigToken(kubeconfig: string): string {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  const token = config.getCurrentUser()?.token;
  if (!token) throw new Error(`no token for the current user of ${kubeconfig}`);
  return token;
}
