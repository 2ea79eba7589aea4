import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ClusterOverview,
  ConsumerGroupRef,
  GroupDetail,
  GroupScaling,
  GroupSummary,
} from '@internal/plugin-kafka-lag-common';

/** Answer of `GET /groups?refs=...`: the groups found, and why the others were not. */
export interface GroupsResponse {
  groups: GroupSummary[];
  missing: { ref: string; reason: string }[];
}

/** Client of the kafka-lag backend plugin. */
export interface KafkaLagApi {
  /** Every configured cluster with all its groups' figures. */
  listClusters(): Promise<ClusterOverview[]>;
  /** One group's members, partitions and history over the last `windowSeconds`. */
  getGroup(ref: ConsumerGroupRef, windowSeconds?: number): Promise<GroupDetail>;
  /** Figures of the given groups (as named in an entity's annotation). */
  getGroups(refs: ConsumerGroupRef[]): Promise<GroupsResponse>;
  /** The KEDA ScaledObjects that scale on the group, each with why it is at its replicas. */
  getAutoscaling(ref: ConsumerGroupRef): Promise<GroupScaling>;
}

export const kafkaLagApiRef = createApiRef<KafkaLagApi>({
  id: 'plugin.kafka-lag.service',
});
