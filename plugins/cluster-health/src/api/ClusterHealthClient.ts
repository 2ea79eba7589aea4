import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ClusterAlerts,
  ClusterSummary,
  ControlPlaneView,
  DaemonSetCoverage,
  EntityAlerts,
  EntityWorkloads,
  GithubReleaseView,
  NodeGroupSummary,
  Problem,
  ProblemFilter,
  WarningEvent,
} from '@internal/plugin-cluster-health-common';
import { ClusterHealthApi } from './ClusterHealthApi';

/** Talks to the cluster health backend through the app's discovery and fetch APIs. */
export class ClusterHealthClient implements ClusterHealthApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  listClusters() {
    return this.get<ClusterSummary[]>('/clusters');
  }

  getNodeGroups(cluster: string) {
    return this.get<NodeGroupSummary[]>(
      `/clusters/${encodeURIComponent(cluster)}/node-groups`,
    );
  }

  getDaemonSets(cluster: string) {
    return this.get<DaemonSetCoverage[]>(
      `/clusters/${encodeURIComponent(cluster)}/daemonsets`,
    );
  }

  getControlPlane(cluster: string) {
    return this.get<ControlPlaneView>(
      `/clusters/${encodeURIComponent(cluster)}/control-plane`,
    );
  }

  getProblems(filter: ProblemFilter) {
    const query = new URLSearchParams(
      Object.entries(filter).filter((e): e is [string, string] =>
        Boolean(e[1]),
      ),
    );
    return this.get<Problem[]>(`/problems?${query}`);
  }

  getEvents(
    cluster: string,
    options: { namespace?: string; limit?: number } = {},
  ) {
    const query = new URLSearchParams();
    if (options.namespace) query.set('namespace', options.namespace);
    if (options.limit) query.set('limit', String(options.limit));
    const qs = query.toString();
    return this.get<WarningEvent[]>(
      `/clusters/${encodeURIComponent(cluster)}/events${qs ? `?${qs}` : ''}`,
    );
  }

  getGithubReleases() {
    return this.get<GithubReleaseView[]>('/github-releases');
  }

  getEntityWorkloads(entityRef: string) {
    return this.get<EntityWorkloads>(
      `/entity?${new URLSearchParams({ entityRef })}`,
    );
  }

  getAlerts() {
    return this.get<ClusterAlerts[]>('/alerts');
  }

  getEntityAlerts(entityRef: string) {
    return this.get<EntityAlerts>(
      `/entity/alerts?${new URLSearchParams({ entityRef })}`,
    );
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl(
      'cluster-health',
    );
    const res = await this.options.fetchApi.fetch(`${baseUrl}${path}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}
