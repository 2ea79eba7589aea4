import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ClusterOverview,
  ConsumerGroupRef,
  GroupDetail,
  GroupScaling,
  formatConsumerGroupRef,
} from '@internal/plugin-kafka-lag-common';
import { GroupsResponse, KafkaLagApi } from './KafkaLagApi';

const groupPath = (ref: ConsumerGroupRef) =>
  `/groups/${encodeURIComponent(ref.cluster)}/${encodeURIComponent(ref.group)}`;

/** Talks to the kafka-lag backend through the app's discovery and fetch APIs. */
export class KafkaLagClient implements KafkaLagApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  listClusters(): Promise<ClusterOverview[]> {
    return this.get('/clusters');
  }

  getGroup(
    ref: ConsumerGroupRef,
    windowSeconds?: number,
  ): Promise<GroupDetail> {
    const query =
      windowSeconds === undefined
        ? ''
        : `?${new URLSearchParams({ window: String(windowSeconds) })}`;
    return this.get(`${groupPath(ref)}${query}`);
  }

  getAutoscaling(ref: ConsumerGroupRef): Promise<GroupScaling> {
    return this.get(`${groupPath(ref)}/autoscaling`);
  }

  getGroups(refs: ConsumerGroupRef[]): Promise<GroupsResponse> {
    const query = new URLSearchParams({
      refs: refs.map(formatConsumerGroupRef).join(','),
    });
    return this.get(`/groups?${query}`);
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('kafka-lag');
    const res = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as T;
  }
}
