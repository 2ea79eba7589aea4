import http from 'node:http';
import https from 'node:https';
import { LoggerService } from '@backstage/backend-plugin-api';
import { CustomErrorBase } from '@backstage/errors';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import {
  ResourceFreshness,
  ResourceState,
  WatchedResource,
} from '@internal/plugin-cluster-health-common';
import { KubeRequestError, withoutUrls } from './errors';
import { PROJECTIONS, RESOURCE_PATHS } from './projections';
import { CachedObjects } from './types';

export { KubeRequestError } from './errors';

/** The watch's resourceVersion is gone from the API server's history: list again. */
class WatchExpired extends CustomErrorBase {}

/** 410 Gone in either form: the watch request's status, or a watch ERROR event's Status. */
function isExpired(status: any): boolean {
  return (
    status?.code === 410 ||
    status?.statusCode === 410 ||
    status?.reason === 'Expired' ||
    status?.reason === 'Gone'
  );
}

const PAGE_SIZE = 500;
const MAX_BACKOFF_MS = 30_000;
/** 403 and 404 do not heal by retrying fast: RBAC or a CRD install changes them. */
const SLOW_RETRY_MS = 60_000;

/** GET of a JSON document from the API server, with the cluster's credentials. */
export async function getJson(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | number | undefined>,
): Promise<any> {
  const { status, body, statusMessage, pathname } = await getText(
    kubeConfig,
    path,
    query,
    'application/json',
  );
  if (status >= 200 && status < 300) {
    try {
      return JSON.parse(body);
    } catch (error) {
      throw new KubeRequestError(
        `invalid JSON from the API server for ${pathname}: ${
          (error as Error).message
        }`,
      );
    }
  }
  let message = statusMessage ?? '';
  try {
    message = JSON.parse(body).message ?? message;
  } catch {
    // not a Status object
  }
  throw new KubeRequestError(
    withoutUrls(`${status} ${message}`.trim()),
    status,
  );
}

/**
 * GET of any document from the API server, with the cluster's credentials, whatever its
 * status (`/readyz?verbose` answers 500 with its checks when one fails). Rejects only when
 * the API server cannot be reached or does not answer within 30 s.
 */
export async function getText(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | number | undefined>,
  accept = 'text/plain',
): Promise<{
  status: number;
  statusMessage?: string;
  body: string;
  pathname: string;
}> {
  const server = kubeConfig.getCurrentCluster()!.server;
  const url = new URL(server + path);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const options: https.RequestOptions = {
    method: 'GET',
    headers: { Accept: accept },
  };
  await kubeConfig.applyToHTTPSOptions(options);
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, options, response => {
      const chunks: Buffer[] = [];
      response.on('data', chunk => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          statusMessage: response.statusMessage,
          body: Buffer.concat(chunks).toString('utf8'),
          pathname: url.pathname,
        }),
      );
    });
    // The messages name no URL: they reach users; the callers log the URL with them.
    request.setTimeout(30_000, () =>
      request.destroy(
        new KubeRequestError('no answer from the API server within 30 s'),
      ),
    );
    request.on('error', error =>
      reject(
        error instanceof KubeRequestError
          ? error
          : new KubeRequestError(
              `cannot reach the API server: ${
                (error as NodeJS.ErrnoException).code ??
                withoutUrls(error.message)
              }`,
            ),
      ),
    );
    request.end();
  });
}

/**
 * Keeps one resource type of one cluster in memory: LIST (paged) then WATCH from the list's
 * resourceVersion with bookmarks; a watch that ends is renewed from the last version seen.
 * A 410 Gone relists at once, in both forms an API server answers an expired resourceVersion
 * with: an ERROR event whose Status has code 410 (reason Expired), or HTTP 410 on the watch
 * request itself (older API servers, some aggregated APIs and proxies). Other errors back off
 * (1 s doubling to 30 s; 60 s for 403 and 404). Objects are stored as their projection
 * (projections.ts), keyed by UID.
 */
export class Informer<R extends WatchedResource> {
  private items = new Map<string, CachedObjects[R]>();
  private state: ResourceState = 'syncing';
  private error?: string;
  private listedAt?: string;
  private lastEventAt?: string;
  private resourceVersion?: string;
  private stopped = false;
  private watchAbort?: AbortController;
  private wake?: () => void;
  private firstAttempt: Promise<void>;
  private settleFirstAttempt!: () => void;

  constructor(
    private readonly options: {
      clusterName: string;
      kubeConfig: KubeConfig;
      resource: R;
      logger: LoggerService;
      watchTimeoutSeconds: number;
      /** What to check when the API server answers 401 (see auth.ts credentialsHint). */
      credentialsHint?: string;
      /** Keep at most this many objects (the newest by `order`); for events. */
      maxItems?: number;
      order?: (item: CachedObjects[R]) => string;
      /**
       * Called for each watch event that adds (`previous` undefined), changes or deletes
       * (`current` undefined) an object, after the store holds the new state.
       */
      onChange?: (
        previous: CachedObjects[R] | undefined,
        current: CachedObjects[R] | undefined,
      ) => void;
      /** Called when the whole store was replaced (a relist) or trimmed. */
      onReset?: () => void;
    },
  ) {
    this.firstAttempt = new Promise(resolve => {
      this.settleFirstAttempt = resolve;
    });
  }

  /** Starts the loop; resolves once the first LIST has succeeded or failed. */
  start(): Promise<void> {
    void this.loop();
    return this.firstAttempt;
  }

  stop() {
    this.stopped = true;
    this.watchAbort?.abort();
    this.wake?.();
  }

  values(): CachedObjects[R][] {
    return [...this.items.values()];
  }

  /** One object by UID. */
  get(uid: string): CachedObjects[R] | undefined {
    return this.items.get(uid);
  }

  /** The objects without copying them into an array (for building indexes). */
  iterate(): IterableIterator<CachedObjects[R]> {
    return this.items.values();
  }

  freshness(): ResourceFreshness {
    return {
      resource: this.options.resource,
      state: this.state,
      count: this.items.size,
      listedAt: this.listedAt,
      lastEventAt: this.lastEventAt,
      error: this.error,
    };
  }

  private async loop() {
    let backoff = 1000;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.list();
        this.settleFirstAttempt();
        await this.watch();
        backoff = 1000;
      } catch (error) {
        this.settleFirstAttempt();
        if (this.stopped) return;
        if (error instanceof WatchExpired) {
          this.options.logger.info(
            'watch resourceVersion expired (410 Gone): listing again',
            {
              cluster: this.options.clusterName,
              resource: this.options.resource,
              resourceVersion: this.resourceVersion,
            },
          );
          this.resourceVersion = undefined;
          continue;
        }
        const delay = this.recordFailure(error as KubeRequestError, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        await this.sleep(delay);
      }
    }
  }

  /** Sets the state for a failure and returns how long to wait before trying again. */
  private recordFailure(error: KubeRequestError, backoff: number): number {
    const { resource, clusterName, logger, kubeConfig } = this.options;
    const status = error.statusCode;
    const previous = this.state;
    if (status === 403) {
      this.state = 'forbidden';
      this.error = `the portal's identity may not list ${resource} (${error.message})`;
    } else if (status === 404) {
      this.state = 'not-installed';
      this.error = `the API server does not serve ${resource} (${error.message})`;
    } else {
      this.state = this.listedAt ? 'stale' : 'error';
      this.error =
        status === 401
          ? `${error.message}: ${
              this.options.credentialsHint ??
              "the cluster's credentials are not accepted"
            }`
          : withoutUrls(error.message);
    }
    // A new resourceVersion is needed after a failed list; a failed watch keeps it.
    if (this.state !== 'stale') this.resourceVersion = undefined;
    if (previous !== this.state) {
      // The URL goes to the log only; users see the cluster's name and what to do.
      logger.warn('cluster cache: resource not current', {
        cluster: clusterName,
        resource,
        state: this.state,
        error: this.error,
        url: kubeConfig.getCurrentCluster()?.server,
        statusCode: status,
        cause: (error as Error).message,
      });
    }
    return status === 403 || status === 404 ? SLOW_RETRY_MS : backoff;
  }

  private async list() {
    const { kubeConfig, resource } = this.options;
    const { path, fieldSelector } = RESOURCE_PATHS[resource];
    const project = PROJECTIONS[resource];
    const items = new Map<string, CachedObjects[R]>();
    let cont: string | undefined;
    let version: string | undefined;
    do {
      const page = await getJson(kubeConfig, path, {
        limit: PAGE_SIZE,
        continue: cont,
        fieldSelector,
      });
      for (const object of page.items ?? []) {
        items.set(object.metadata.uid, project(object) as CachedObjects[R]);
      }
      cont = page.metadata?.continue || undefined;
      version = page.metadata?.resourceVersion;
    } while (cont);
    this.items = items;
    this.trim();
    this.options.onReset?.();
    this.resourceVersion = version;
    this.listedAt = new Date().toISOString();
    this.lastEventAt = this.listedAt;
    this.state = 'synced';
    this.error = undefined;
  }

  private watch(): Promise<void> {
    const { kubeConfig, resource, watchTimeoutSeconds } = this.options;
    const { path, fieldSelector } = RESOURCE_PATHS[resource];
    const project = PROJECTIONS[resource];
    return new Promise<void>((resolve, reject) => {
      let expired = false;
      let failed: KubeRequestError | undefined;
      const onEvent = (type: string, object: any) => {
        if (type === 'BOOKMARK') {
          this.resourceVersion = object.metadata?.resourceVersion;
          return;
        }
        if (type === 'ERROR') {
          if (isExpired(object)) expired = true;
          else {
            // Any other error event: renew after the usual back-off, not at once.
            failed = new KubeRequestError(
              withoutUrls(
                `${object?.code ?? ''} ${
                  object?.message ?? 'watch error'
                }`.trim(),
              ),
              object?.code,
            );
          }
          this.watchAbort?.abort();
          return;
        }
        const uid = object?.metadata?.uid;
        if (!uid) return;
        const previous = this.items.get(uid);
        let current: CachedObjects[R] | undefined;
        if (type === 'DELETED') this.items.delete(uid);
        else {
          current = project(object) as CachedObjects[R];
          this.items.set(uid, current);
        }
        if (type === 'ADDED' && this.trim()) this.options.onReset?.();
        else this.options.onChange?.(previous, current);
        this.resourceVersion = object.metadata.resourceVersion;
        this.lastEventAt = new Date().toISOString();
        this.state = 'synced';
        this.error = undefined;
      };
      let ended = false;
      const onDone = (error: any) => {
        ended = true;
        // HTTP 410 on the watch request is the same expiry as the ERROR event: without
        // relisting, the watch would be renewed forever from a version the server no
        // longer has.
        if (expired || isExpired(error)) reject(new WatchExpired());
        else if (failed) reject(failed);
        else if (error && error.name !== 'AbortError' && !this.stopped) {
          reject(
            new KubeRequestError(
              error.statusCode
                ? `${error.statusCode} ${error.message}`
                : `watch of ${resource} broke: ${
                    error.code ?? withoutUrls(String(error.message))
                  }`,
              error.statusCode,
            ),
          );
        } else resolve();
      };
      new Watch(kubeConfig)
        .watch(
          path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: watchTimeoutSeconds,
            fieldSelector,
          },
          onEvent,
          onDone,
        )
        .then(abort => {
          this.watchAbort = abort;
          // Connected: the cache is current again, even if nothing changes for a while.
          if (!ended && this.state === 'stale') {
            this.state = 'synced';
            this.error = undefined;
          }
        }, reject);
    });
  }

  /** Drops the oldest objects beyond maxItems; true when it did. */
  private trim(): boolean {
    const { maxItems, order } = this.options;
    if (!maxItems || !order || this.items.size <= maxItems * 1.1) return false;
    const newestFirst = [...this.items.entries()].sort((a, b) =>
      order(b[1]).localeCompare(order(a[1])),
    );
    this.items = new Map(newestFirst.slice(0, maxItems));
    return true;
  }

  private sleep(ms: number) {
    return new Promise<void>(resolve => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
