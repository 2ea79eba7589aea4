import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ClusterSummary,
  DaemonSetCoverage,
  EntityWorkloads,
  GithubReleaseView,
  NodeGroupSummary,
  Problem,
  ProblemFilter,
  WarningEvent,
} from '@internal/plugin-cluster-health-common';

/** The cluster health backend's routes (see plugins/cluster-health-backend/README.md). */
export interface ClusterHealthApi {
  listClusters(): Promise<ClusterSummary[]>;
  getNodeGroups(cluster: string): Promise<NodeGroupSummary[]>;
  getDaemonSets(cluster: string): Promise<DaemonSetCoverage[]>;
  getProblems(filter: ProblemFilter): Promise<Problem[]>;
  /** The cluster's recent warning events, newest first, whether or not part of a problem. */
  getEvents(
    cluster: string,
    options?: { namespace?: string; limit?: number },
  ): Promise<WarningEvent[]>;
  getGithubReleases(): Promise<GithubReleaseView[]>;
  getEntityWorkloads(entityRef: string): Promise<EntityWorkloads>;
}

export const clusterHealthApiRef = createApiRef<ClusterHealthApi>({
  id: 'plugin.cluster-health.api',
});

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

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl(
      'cluster-health',
    );
    const res = await this.options.fetchApi.fetch(`${baseUrl}${path}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}

/** The backend's own message (which key to set, what the API server said), not "Request failed". */
export function errorTitle(error: Error): string {
  if (ResponseError.is(error) && error.cause?.message) {
    return `${error.statusCode}: ${error.cause.message}`;
  }
  return error.message;
}
