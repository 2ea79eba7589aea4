/*
 * The annotations (and the one label) the platform plugins read, named once. The first three
 * are Backstage's own (the Kubernetes plugin reads the same ones); the last is this portal's.
 */

/**
 * `backstage.io/kubernetes-id`: on a catalog entity, the id its Kubernetes objects carry; on a
 * Kubernetes object, the label with that id (an object without it inherits its owners').
 */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';

/** The Kubernetes label that links an object to an entity: the same key as the annotation. */
export const KUBERNETES_ID_LABEL = KUBERNETES_ID_ANNOTATION;

/**
 * `backstage.io/kubernetes-namespace`: narrows an entity's kubernetes-id to one namespace
 * (without it, the id matches in every namespace that no other entity pins).
 */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

/**
 * `backstage.io/kubernetes-cluster`: narrows an entity's kubernetes-id to one cluster of
 * `kubernetes.clusterLocatorMethods` (by its name); without it, the id matches in every cluster.
 */
export const KUBERNETES_CLUSTER_ANNOTATION = 'backstage.io/kubernetes-cluster';

/** `backstage.io/kubernetes-label-selector`: a label selector for an entity's objects. */
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';

/**
 * `ml-platform.io/model-server-selector`: the PromQL label matchers of a model server's vLLM
 * metrics, e.g. `job="model-server",model_name="x"` (read by GPU inference).
 */
export const MODEL_SERVER_SELECTOR_ANNOTATION =
  'ml-platform.io/model-server-selector';

/**
 * Alertmanager label matchers that pick an entity's alerts beside (or instead of) its workloads,
 * e.g. `{alertname=~"GpuXid.*", Hostname="ip-10-0-5-10"}` or `team="ml", severity!="info"`.
 */
export const ALERT_SELECTOR_ANNOTATION = 'ml-platform.io/alert-selector';
