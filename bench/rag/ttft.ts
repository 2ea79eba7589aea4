/*
 * Time the portal adds to the chat model's time to first token, over HTTP, against a running
 * portal backend whose ragChat.chat and ragChat.embeddings point at the sandbox model server
 * (see README.md for the backend to start).
 *
 *   [BACKEND_PID=<pid>] yarn sucrase-node bench/rag/ttft.ts [baseUrl=http://localhost:7027] [rounds=2]
 *
 * Asks every question of questions.yaml <rounds> times, one at a time, as the guest user, and
 * reads the server-sent events: the client's time to the first `delta`, and from the `done`
 * event the answer's recorded usage (the model's own time to first token, measured by the
 * backend from its request to the model, the retrieval time and the question's embedding
 * time). The portal's share is the client's time to first token minus the chat model's; its own
 * share also leaves out the embeddings model's time for the question.
 *
 * The client also notes when the response's headers arrive (the question passed auth, the
 * ask permission and the service's checks) and when the `start` event does (the passages are
 * retrieved), so the portal's own share splits into: before the headers; from the headers to
 * `start` less the question's embedding (the access filter and the SQL); from `start` to the
 * first token less the model's own (prompt, the request to the model, relaying the stream).
 */
import {
  ChatStreamEvent,
  SseParser,
  toChatStreamEvent,
} from '@internal/plugin-rag-chat-common';
import { readFileSync } from 'node:fs';
import { guestToken, ms, percentile } from '../lib';
import { loadQuestions } from './lib';

const baseUrl = process.argv[2] ?? 'http://localhost:7027';
const rounds = Number(process.argv[3] ?? 2);

async function main() {
  const token = await guestToken(baseUrl);
  const { questions } = loadQuestions();
  const client: number[] = [];
  const model: number[] = [];
  const portal: number[] = [];
  const retrieval: number[] = [];
  const embedding: number[] = [];
  const own: number[] = [];
  const headers: number[] = [];
  const retrievalOwn: number[] = [];
  const afterStart: number[] = [];
  /** The portal's own share per round: the first round meets every entity first. */
  const ownByRound: number[][] = [];
  for (let round = 0; round < rounds; round++) {
    ownByRound.push([]);
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
      const headersAt = performance.now() - started;
      let startAt: number | undefined;
      const parser = new SseParser();
      const decoder = new TextDecoder();
      let firstDelta: number | undefined;
      let done: Extract<ChatStreamEvent, { type: 'done' }> | undefined;
      for await (const bytes of res.body as any as AsyncIterable<Uint8Array>) {
        for (const raw of parser.push(
          decoder.decode(bytes, { stream: true }),
        )) {
          const event = toChatStreamEvent(raw);
          if (event?.type === 'start') startAt = performance.now() - started;
          if (event?.type === 'delta' && firstDelta === undefined) {
            firstDelta = performance.now() - started;
          }
          if (event?.type === 'done') done = event;
        }
      }
      const usage = done?.message.usage;
      if (
        firstDelta === undefined ||
        startAt === undefined ||
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
      ownByRound[round].push(own[own.length - 1]);
      headers.push(headersAt);
      retrievalOwn.push(startAt - headersAt - (usage.embeddingMs ?? 0));
      afterStart.push(firstDelta - startAt - usage.modelTimeToFirstTokenMs);
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
    ['· until the headers (auth, ask permission, checks)', headers],
    ['· headers to `start`, less the embedding (access, SQL)', retrievalOwn],
    ['· `start` to first token, less the model (prompt, relay)', afterStart],
  ] as const) {
    console.log(
      `| ${label} | ${ms(percentile(values, 50))} | ${ms(
        percentile(values, 95),
      )} |`,
    );
  }
  console.log('\n| round | answers | own share p50 | own share p95 |');
  console.log('| ----- | ------- | ------------- | ------------- |');
  ownByRound.forEach((values, i) =>
    console.log(
      `| ${i + 1} | ${values.length} | ${ms(percentile(values, 50))} | ${ms(
        percentile(values, 95),
      )} |`,
    ),
  );
  const rss = backendRss();
  if (rss) console.log(`\n${rss}`);
}

/** The backend process's resident memory now and at its peak (BACKEND_PID), from /proc. */
function backendRss(): string | undefined {
  const pid = process.env.BACKEND_PID;
  if (!pid) return undefined;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  const mib = (v: number) => `${(v / 1024).toFixed(0)} MiB`;
  return `backend RSS ${mib(kib('VmRSS'))} (peak ${mib(kib('VmHWM'))})`;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
