/*
 * Admission of requests to a model, as an inference engine does it: at most
 * `maxRunning` sequences run at once and their tokens must fit a fixed token
 * budget (the stand-in for the KV cache); the others wait in FIFO order. A
 * request whose client went away leaves the queue, or frees its slot.
 */

export interface SchedulerOptions {
  /** Sequences that may run at once (vLLM's --max-num-seqs). */
  maxRunning: number;
  /** Tokens that running sequences may hold in all (the KV-cache budget). */
  tokenBudget: number;
}

/** A running sequence: it holds a slot and its tokens until released. */
export interface Sequence {
  /** Prompt plus generated tokens held in the budget; grows as tokens are generated. */
  tokens: number;
  /** Frees the slot; calling it again does nothing. */
  release(): void;
}

interface Waiter {
  tokens: number;
  admit(sequence: Sequence): void;
}

/** The request left the queue before it was admitted (its client went away). */
export class AbortedWhileWaiting extends Error {
  constructor() {
    super('request aborted while waiting');
    this.name = 'AbortedWhileWaiting';
  }
}

export class Scheduler {
  readonly maxRunning: number;
  readonly tokenBudget: number;
  private readonly queue: Waiter[] = [];
  private readonly running = new Set<Sequence>();

  constructor(options: SchedulerOptions) {
    if (!(options.maxRunning >= 1))
      throw new Error('maxRunning must be at least 1');
    this.maxRunning = options.maxRunning;
    this.tokenBudget = options.tokenBudget;
  }

  get numRunning(): number {
    return this.running.size;
  }

  get numWaiting(): number {
    return this.queue.length;
  }

  /** Tokens held by running sequences. */
  get tokensInUse(): number {
    let sum = 0;
    for (const s of this.running) sum += s.tokens;
    return sum;
  }

  /** Share (0..1) of the token budget held by running sequences. */
  get usage(): number {
    return Math.min(1, this.tokensInUse / this.tokenBudget);
  }

  /**
   * Resolves once the request may run, in arrival order. Rejects with
   * AbortedWhileWaiting when `signal` aborts first.
   */
  acquire(promptTokens: number, signal?: AbortSignal): Promise<Sequence> {
    if (signal?.aborted) return Promise.reject(new AbortedWhileWaiting());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { tokens: promptTokens, admit: resolve };
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) {
          this.queue.splice(i, 1);
          reject(new AbortedWhileWaiting());
          // The head may have been what blocked the others.
          this.admitWaiting();
        }
      };
      waiter.admit = sequence => {
        signal?.removeEventListener('abort', onAbort);
        resolve(sequence);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.admitWaiting();
    });
  }

  private fits(tokens: number): boolean {
    if (this.running.size >= this.maxRunning) return false;
    // A sequence alone may always run (the server rejects prompts beyond its budget).
    return (
      this.running.size === 0 || this.tokensInUse + tokens <= this.tokenBudget
    );
  }

  private admitWaiting(): void {
    // Strict FIFO: a head that does not fit blocks those behind it.
    while (this.queue.length > 0 && this.fits(this.queue[0].tokens)) {
      const waiter = this.queue.shift()!;
      let released = false;
      const sequence: Sequence = {
        tokens: waiter.tokens,
        release: () => {
          if (released) return;
          released = true;
          this.running.delete(sequence);
          this.admitWaiting();
        },
      };
      this.running.add(sequence);
      waiter.admit(sequence);
    }
  }
}
