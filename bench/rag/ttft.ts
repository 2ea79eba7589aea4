/*
 * Time the portal adds to the chat model's time to first token, over HTTP, against a running
 * portal backend whose ragChat.chat and ragChat.embeddings point at the sandbox model server
 * (see README.md for the backend to start).
 *
 *   yarn sucrase-node bench/rag/ttft.ts [baseUrl=http://localhost:7027] [rounds=2]
 *
 * Asks every question of questions.yaml <rounds> times, one at a time, as the guest user, and
 * reads the server-sent events: the client's time to the first `delta`, and from the `done`
 * event the answer's recorded usage (the model's own time to first token, measured by the
 * backend from its request to the model, the retrieval time and the question's embedding
 * time). The portal's share is the client's time to first token minus the chat model's; its own
 * share also leaves out the embeddings model's time for the question.
 */
import {
  ChatStreamEvent,
  SseParser,
  toChatStreamEvent,
} from '@internal/plugin-rag-chat-common';
import { guestToken, ms, percentile } from '../lib';
import { loadQuestions } from './lib';

const baseUrl = process.argv[2] ?? 'http://localhost:7027';
const rounds = Number(process.argv[3] ?? 2);

async function main() {
  const token = await guestToken(baseUrl);
  const questions = loadQuestions();
  const client: number[] = [];
  const model: number[] = [];
  const portal: number[] = [];
  const retrieval: number[] = [];
  const embedding: number[] = [];
  const own: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const { q } of questions) {
      const started = performance.now();
      const res = await fetch(`${baseUrl}/api/rag-chat/chat`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ question: q }),
      });
      if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
      const parser = new SseParser();
      const decoder = new TextDecoder();
      let firstDelta: number | undefined;
      let done: Extract<ChatStreamEvent, { type: 'done' }> | undefined;
      for await (const bytes of res.body as any as AsyncIterable<Uint8Array>) {
        for (const raw of parser.push(
          decoder.decode(bytes, { stream: true }),
        )) {
          const event = toChatStreamEvent(raw);
          if (event?.type === 'delta' && firstDelta === undefined) {
            firstDelta = performance.now() - started;
          }
          if (event?.type === 'done') done = event;
        }
      }
      const usage = done?.message.usage;
      if (
        firstDelta === undefined ||
        usage?.modelTimeToFirstTokenMs === undefined
      ) {
        console.warn(`no model answer for: ${q} (mode ${done?.message.mode})`);
        continue;
      }
      client.push(firstDelta);
      model.push(usage.modelTimeToFirstTokenMs);
      portal.push(firstDelta - usage.modelTimeToFirstTokenMs);
      retrieval.push(usage.retrievalMs ?? 0);
      embedding.push(usage.embeddingMs ?? 0);
      own.push(
        firstDelta - usage.modelTimeToFirstTokenMs - (usage.embeddingMs ?? 0),
      );
    }
  }
  console.log(`${client.length} answers from the model\n`);
  console.log('| figure | p50 | p95 |');
  console.log('| ------ | --- | --- |');
  for (const [label, values] of [
    ['time to first token at the client', client],
    ["the model's own time to first token", model],
    ["the portal's share (client − model)", portal],
    ['of which retrieval (question embedding + SQL)', retrieval],
    ["of which the question's embedding (embeddings model)", embedding],
    ["the portal's own share (client − both models)", own],
  ] as const) {
    console.log(
      `| ${label} | ${ms(percentile(values, 50))} | ${ms(
        percentile(values, 95),
      )} |`,
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
