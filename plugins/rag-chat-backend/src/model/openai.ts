import { CustomErrorBase } from '@backstage/errors';
import { SseParser } from '@internal/plugin-rag-chat-common';
import { OpenAiEndpointConfig } from '../config';
import type { TextEmbedder } from './embedders';

/**
 * A failed call to an OpenAI-compatible endpoint. The message (for the log) names
 * what was called; the summary (for users) says what went wrong without the URL.
 */
export class ModelEndpointError extends CustomErrorBase {
  name = 'ModelEndpointError';

  constructor(message: string, readonly summary: string) {
    super(message);
  }
}

function headers(endpoint: OpenAiEndpointConfig): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    ...(endpoint.apiKey ? { Authorization: `Bearer ${endpoint.apiKey}` } : {}),
  };
}

async function failure(
  what: string,
  url: string,
  res: Response,
): Promise<ModelEndpointError> {
  let detail = '';
  try {
    detail = (await res.text()).slice(0, 300);
  } catch {
    // the body is optional in the message
  }
  return new ModelEndpointError(
    `${what} ${url} answered ${res.status}${detail ? `: ${detail}` : ''}`,
    `answered HTTP ${res.status}`,
  );
}

function describeFetchError(what: string, url: string, error: unknown) {
  const cause = (
    error as {
      cause?: { code?: string; message?: string; errors?: { code?: string }[] };
    }
  )?.cause;
  // A connection tried on several addresses fails with an AggregateError of them.
  const code = cause?.code ?? cause?.errors?.find(e => e.code)?.code;
  const reason = code ?? cause?.message ?? (error as Error).message;
  return new ModelEndpointError(
    `${what} ${url} failed: ${reason}`,
    code ? `could not be reached (${code})` : 'could not be reached',
  );
}

/** Client of an OpenAI-compatible `/embeddings` endpoint. */
export class EmbeddingsClient implements TextEmbedder {
  constructor(
    private readonly endpoint: OpenAiEndpointConfig & { batchSize: number },
    private readonly dimensions: number,
  ) {}

  get model(): string {
    return this.endpoint.model;
  }

  async close(): Promise<void> {
    // one fetch per batch: nothing held open
  }

  /** Embeds texts in batches; every vector must have the configured dimensions. */
  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += this.endpoint.batchSize) {
      vectors.push(
        ...(await this.embedBatch(
          texts.slice(i, i + this.endpoint.batchSize),
          signal,
        )),
      );
    }
    return vectors;
  }

  private async embedBatch(
    input: string[],
    signal?: AbortSignal,
  ): Promise<number[][]> {
    const url = `${this.endpoint.baseUrl}/embeddings`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: headers(this.endpoint),
        body: JSON.stringify({ model: this.endpoint.model, input }),
        signal,
      });
    } catch (error) {
      throw describeFetchError('Embeddings endpoint', url, error);
    }
    if (!res.ok) throw await failure('Embeddings endpoint', url, res);
    const body = (await res.json()) as {
      data: Array<{ index: number; embedding: number[] }>;
    };
    const data = [...body.data].sort((a, b) => a.index - b.index);
    if (data.length !== input.length) {
      throw new ModelEndpointError(
        `Embeddings endpoint ${url} returned ${data.length} vectors for ${input.length} texts`,
        `returned ${data.length} vectors for ${input.length} texts`,
      );
    }
    for (const d of data) {
      if (d.embedding.length !== this.dimensions) {
        throw new ModelEndpointError(
          `Embeddings endpoint ${url} (model ${this.endpoint.model}) returned ${d.embedding.length} dimensions; ragChat.embeddings.dimensions is ${this.dimensions}`,
          `returned ${d.embedding.length} dimensions where ragChat.embeddings.dimensions is ${this.dimensions}`,
        );
      }
    }
    return data.map(d => d.embedding);
  }
}

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatStreamPart {
  delta?: string;
  usage?: { promptTokens: number; completionTokens: number };
}

/** Client of an OpenAI-compatible `/chat/completions` endpoint, streaming. */
export class ChatClient {
  constructor(
    private readonly endpoint: OpenAiEndpointConfig & {
      temperature: number;
      maxTokens: number;
    },
  ) {}

  get model(): string {
    return this.endpoint.model;
  }

  /**
   * Streams a completion: text deltas as they arrive, then the usage (asked for
   * with `stream_options.include_usage`). Aborting the signal stops the request.
   */
  async *stream(
    messages: ChatTurn[],
    signal: AbortSignal,
  ): AsyncGenerator<ChatStreamPart> {
    const url = `${this.endpoint.baseUrl}/chat/completions`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { ...headers(this.endpoint), Accept: 'text/event-stream' },
        body: JSON.stringify({
          model: this.endpoint.model,
          messages,
          stream: true,
          stream_options: { include_usage: true },
          temperature: this.endpoint.temperature,
          max_tokens: this.endpoint.maxTokens,
        }),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw describeFetchError('Chat endpoint', url, error);
    }
    if (!res.ok || !res.body) throw await failure('Chat endpoint', url, res);

    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const bytes of res.body as AsyncIterable<Uint8Array>) {
      for (const event of parser.push(
        decoder.decode(bytes, { stream: true }),
      )) {
        if (event.data === '[DONE]') return;
        const chunk = JSON.parse(event.data) as {
          choices?: Array<{ delta?: { content?: string | null } }>;
          usage?: { prompt_tokens: number; completion_tokens: number } | null;
          error?: { message?: string };
        };
        if (chunk.error) {
          throw new ModelEndpointError(
            `Chat endpoint ${url} failed mid-answer: ${
              chunk.error.message ?? 'unknown error'
            }`,
            'reported an error',
          );
        }
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) yield { delta };
        if (chunk.usage) {
          yield {
            usage: {
              promptTokens: chunk.usage.prompt_tokens,
              completionTokens: chunk.usage.completion_tokens,
            },
          };
        }
      }
    }
  }
}
