/*
 * The in-process default against the sandbox model server's /v1/embeddings: an
 * index built with one is searched with the other (the store records the model
 * by name), so they must give the same vectors for the same text.
 */
import { ConfigReader } from '@backstage/config';
import { readRagChatConfig } from '../config';
import { EMBEDDING_MODEL, sandboxModelUrl } from '../__testUtils__/fixtures';
import { InProcessEmbeddings, createEmbedder } from './embedders';
import { EmbeddingsClient } from './openai';

jest.setTimeout(60_000);

const TEXTS = [
  'How many brokers does the Kafka cluster have?',
  'Model servers are OpenAI-compatible (vLLM) and run on the GPU node group.',
  `A long passage: ${'the llm-ingestors group falls behind on raw-events; '.repeat(
    40,
  )}`,
  'é, ü, 日本語 and emoji 🚀 in one line',
];

describe('embedders', () => {
  const local = createEmbedder(readRagChatConfig(new ConfigReader({})));
  afterAll(() => local?.close());

  it('uses the in-process model when no endpoint is set, the endpoint when one is', () => {
    expect(local).toBeInstanceOf(InProcessEmbeddings);
    expect(local!.model).toBe(EMBEDDING_MODEL);
    const endpoint = createEmbedder(
      readRagChatConfig(
        new ConfigReader({
          ragChat: {
            embeddings: { baseUrl: sandboxModelUrl(), model: EMBEDDING_MODEL },
          },
        }),
      ),
    );
    expect(endpoint).toBeInstanceOf(EmbeddingsClient);
  });

  it('gives the same vectors as the sandbox model server for the same texts', async () => {
    const remote = new EmbeddingsClient(
      { baseUrl: sandboxModelUrl(), model: EMBEDDING_MODEL, batchSize: 2 },
      384,
    );
    const [mine, theirs] = await Promise.all([
      local!.embed(TEXTS),
      remote.embed(TEXTS),
    ]);
    expect(mine).toHaveLength(TEXTS.length);
    mine.forEach((v, i) => {
      expect(v).toHaveLength(384);
      const cosine = v.reduce((sum, x, k) => sum + x * theirs[i][k], 0);
      expect(cosine).toBeGreaterThan(0.9999);
    });
    // And different texts differ: the comparison above can fail.
    const across = mine[0].reduce((sum, x, k) => sum + x * theirs[1][k], 0);
    expect(across).toBeLessThan(0.9);
  });

  it('stops between batches when the request is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(local!.embed(TEXTS, controller.signal)).rejects.toThrow(
      /aborted/i,
    );
  });
});
