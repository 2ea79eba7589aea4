/*
 * OffsetFetch version 8 (KIP-709, Kafka 3.0+): the committed offsets of many groups in one
 * request to their coordinator. kafkajs 2.2.4 speaks OffsetFetch up to version 4 (one group
 * per request), so this request is encoded here with kafkajs's own encoder and decoder, the
 * way kafkajs encodes its other flexible-version requests (ListPartitionReassignments v0).
 *
 * OffsetFetch Request (Version: 8) => [groups] require_stable TAG_BUFFER
 *   groups => group_id [topics] TAG_BUFFER       (topics null: every topic the group committed)
 *     group_id => COMPACT_STRING
 *   require_stable => BOOLEAN
 * OffsetFetch Response (Version: 8) => throttle_time_ms [groups] TAG_BUFFER
 *   groups => group_id [topics] error_code TAG_BUFFER
 *     topics => name [partitions] TAG_BUFFER
 *       partitions => partition_index committed_offset committed_leader_epoch metadata
 *                     error_code TAG_BUFFER
 */
/* eslint-disable @backstage/no-undeclared-imports */
// kafkajs's protocol helpers (kafkajs is pinned to 2.2.4 in package.json for that reason).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Encoder = require('kafkajs/src/protocol/encoder');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Decoder = require('kafkajs/src/protocol/decoder');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { failure, createErrorFromCode } = require('kafkajs/src/protocol/error');

export const OFFSET_FETCH_API_KEY = 9;
export const OFFSET_FETCH_BATCH_VERSION = 8;

export interface GroupOffsets {
  groupId: string;
  errorCode: number;
  /** topic → partition → committed offset (-1: none) */
  topics: {
    topic: string;
    partitions: { partition: number; offset: number }[];
  }[];
}

/** The request object that a kafkajs broker connection sends (`connectionPool.send`). */
export function offsetFetchV8Request(groupIds: string[]) {
  return {
    request: {
      apiKey: OFFSET_FETCH_API_KEY,
      apiVersion: OFFSET_FETCH_BATCH_VERSION,
      apiName: 'OffsetFetch',
      encode: async () =>
        new Encoder()
          .writeUVarIntBytes() // request header's tagged fields (header v2)
          .writeUVarIntArray(
            groupIds.map(groupId =>
              new Encoder()
                .writeUVarIntString(groupId)
                .writeUVarIntArray(null) // every topic
                .writeUVarIntBytes(),
            ),
          )
          .writeBoolean(false)
          .writeUVarIntBytes(),
    },
    response: {
      decode: async (rawData: Buffer) => {
        const decoder = new Decoder(rawData);
        decoder.readTaggedFields(); // response header v1
        const throttleTime = decoder.readInt32();
        const groups: GroupOffsets[] = decoder.readUVarIntArray((d: any) => {
          const groupId = d.readUVarIntString();
          const topics =
            d.readUVarIntArray((t: any) => {
              const topic = t.readUVarIntString();
              const partitions = t.readUVarIntArray((p: any) => {
                const partition = p.readInt32();
                // INT64 without kafkajs's Long and string round trip (50k per refresh).
                const offset = Number(p.buffer.readBigInt64BE(p.offset));
                p.offset += 8;
                p.readInt32(); // committed_leader_epoch
                p.readUVarIntString(); // metadata
                const errorCode = p.readInt16();
                p.readTaggedFields();
                // A partition's own error leaves it without a committed offset.
                return { partition, offset: failure(errorCode) ? -1 : offset };
              });
              t.readTaggedFields();
              return { topic, partitions: partitions ?? [] };
            }) ?? [];
          const errorCode = d.readInt16();
          d.readTaggedFields();
          return { groupId, errorCode, topics };
        });
        decoder.readTaggedFields();
        return { throttleTime, groups: groups ?? [] };
      },
      parse: async (data: { groups: GroupOffsets[] }) => {
        const failed = data.groups.find(g => failure(g.errorCode));
        // NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS...: kafkajs's own (retriable) errors.
        if (failed) throw createErrorFromCode(failed.errorCode);
        return data;
      },
    },
  };
}
