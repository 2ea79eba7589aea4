/*
 * The informer against the sandbox's real kube-apiserver (`scripts/sandbox up k8s`, then
 * `eval "$(scripts/sandbox env)"`); skipped, saying so, when SANDBOX_K8S_URL is not set.
 *
 * The 410 test makes a real expiry: it cuts the informers off the API server (a forwarding
 * proxy that drops their connections, as a network partition would), moves the
 * PodDisruptionBudget watch history past their resourceVersion (one change, 80 s, then
 * changes until the API server's own watch cache has dropped it, checked with a watch of our
 * own), and reconnects them. kube-apiserver 1.34 answers such a watch with HTTP 200 and an
 * ERROR event (Status 410, reason Expired); API servers before 1.11, some aggregated API
 * servers and proxies answer HTTP 410 on the watch request itself. The proxy forwards both
 * informers' requests unchanged to the real API server, except that for one of them it turns
 * the real server's ERROR-410 answer into that HTTP 410 (with the same Status body): the
 * expiry and every list stay the real server's; only that one answer's wire form is the older
 * one's.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import {
  KubeConfig,
  PolicyV1Api,
  CoreV1Api,
  V1PodDisruptionBudget,
  Watch,
} from '@kubernetes/client-node';
import { kubeConfigFor } from './auth';
import { Informer } from './Informer';

const K8S_URL = process.env.SANDBOX_K8S_URL;
const describeSandbox = K8S_URL ? describe : describe.skip;
if (!K8S_URL) {
  // eslint-disable-next-line no-console
  console.warn(
    'Informer.test.ts: skipped, SANDBOX_K8S_URL is not set: start the sandbox with ' +
      '"scripts/sandbox up k8s" and export its settings with: eval "$(scripts/sandbox env)"',
  );
}

jest.setTimeout(300_000);

const NAMESPACE = 'informer-test';
const PDB_PATH = '/apis/policy/v1/poddisruptionbudgets';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function kubeconfig(path: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

async function until<T>(
  what: string,
  seconds: number,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${seconds} s`);
    await sleep(250);
  }
}

/** A PDB that selects no pod: inert for every view (no expected pods, no problem). */
const pdb = (name: string): V1PodDisruptionBudget => ({
  metadata: { name, namespace: NAMESPACE, labels: { test: 'informer' } },
  spec: {
    maxUnavailable: 1,
    selector: { matchLabels: { 'informer-test/none': name } },
  },
});

/**
 * Forwards plain HTTP from the informers to the API server's HTTPS. `cut()` drops every
 * connection and refuses new ones until `restore()`. Requests under /http-410 are the
 * older-server mode described at the top.
 */
class Link {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private up = true;
  /** Watch requests whose ERROR-410 answer was turned into HTTP 410. */
  converted = 0;

  constructor(private readonly target: URL, private readonly ca: Buffer) {
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.on('connection', socket => {
      if (!this.up) socket.destroy();
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>(r => this.server.listen(0, '127.0.0.1', r));
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  cut() {
    this.up = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore() {
    this.up = true;
  }

  stop() {
    this.cut();
    return new Promise(r => this.server.close(r));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse) {
    const legacy = req.url!.startsWith('/http-410/');
    const path = legacy ? req.url!.slice('/http-410'.length) : req.url!;
    const isWatch = /[?&]watch=true/.test(path);
    const upstream = https.request(
      {
        host: this.target.hostname,
        port: this.target.port,
        path,
        method: req.method,
        headers: { ...req.headers, host: this.target.host },
        ca: this.ca,
      },
      answer => {
        if (!(legacy && isWatch && answer.statusCode === 200)) {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
          return;
        }
        // Look at the first event; everything else streams through unchanged.
        let head = Buffer.alloc(0);
        const onData = (chunk: Buffer) => {
          head = Buffer.concat([head, chunk]);
          const newline = head.indexOf('\n');
          if (newline < 0) return;
          answer.off('data', onData);
          let event: any;
          try {
            event = JSON.parse(head.subarray(0, newline).toString('utf8'));
          } catch {
            event = undefined;
          }
          if (event?.type === 'ERROR' && event.object?.code === 410) {
            this.converted++;
            const body = JSON.stringify(event.object);
            res.writeHead(410, {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            });
            res.end(body);
            answer.destroy();
            return;
          }
          res.writeHead(200, answer.headers);
          res.write(head);
          answer.pipe(res);
        };
        answer.on('data', onData);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}

describeSandbox("Informer against the sandbox's API server", () => {
  // Read in beforeAll: a skipped describe's body still runs.
  let admin: KubeConfig;
  let policy: PolicyV1Api;
  let core: CoreV1Api;
  let portalToken: string;
  const informers: Informer<'poddisruptionbudgets'>[] = [];

  const informer = (url: string, extra: { skipTLSVerify?: boolean } = {}) => {
    const logger = mockServices.logger.mock();
    const i = new Informer({
      clusterName: 'eks-data-platform',
      kubeConfig: kubeConfigFor({
        name: 'eks-data-platform',
        url,
        auth: { provider: 'serviceAccount', token: portalToken },
        caFile: process.env.SANDBOX_K8S_CA,
        skipTLSVerify: extra.skipTLSVerify ?? false,
      }),
      resource: 'poddisruptionbudgets',
      logger,
      watchTimeoutSeconds: 300,
    });
    informers.push(i);
    return { informer: i, logger };
  };
  const names = (i: Informer<'poddisruptionbudgets'>) =>
    i
      .values()
      .filter(p => p.namespace === NAMESPACE)
      .map(p => p.name)
      .sort();

  beforeAll(async () => {
    admin = kubeconfig(process.env.SANDBOX_K8S_KUBECONFIG!);
    policy = admin.makeApiClient(PolicyV1Api);
    core = admin.makeApiClient(CoreV1Api);
    portalToken = kubeconfig(
      process.env.SANDBOX_K8S_PORTAL_KUBECONFIG!,
    ).getCurrentUser()!.token!;
    await core
      .createNamespace({ body: { metadata: { name: NAMESPACE } } })
      .catch(e => {
        if (e?.code !== 409) throw e;
      });
    await policy.deleteCollectionNamespacedPodDisruptionBudget({
      namespace: NAMESPACE,
    });
  });

  afterAll(async () => {
    for (const i of informers) i.stop();
    await policy
      .deleteCollectionNamespacedPodDisruptionBudget({ namespace: NAMESPACE })
      .catch(() => undefined);
  });

  it('lists into the cache, then follows creations and deletions through the watch', async () => {
    const { informer: i } = informer(K8S_URL!);
    await i.start();
    const listed = i.freshness();
    expect(listed).toMatchObject({
      resource: 'poddisruptionbudgets',
      state: 'synced',
    });
    // The sandbox's own PDB (webapp in data), read through the portal's identity.
    expect(
      i.values().some(p => p.namespace === 'data' && p.name === 'webapp'),
    ).toBe(true);
    expect(listed.count).toBe(i.values().length);

    await policy.createNamespacedPodDisruptionBudget({
      namespace: NAMESPACE,
      body: pdb('watched'),
    });
    await until('the new PDB in the cache', 30, () =>
      names(i).includes('watched'),
    );
    expect(i.values().find(p => p.name === 'watched')).toMatchObject({
      namespace: NAMESPACE,
      maxUnavailable: 1,
      expectedPods: expect.any(Number),
    });

    await policy.deleteNamespacedPodDisruptionBudget({
      name: 'watched',
      namespace: NAMESPACE,
    });
    await until(
      'the deleted PDB gone from the cache',
      30,
      () => !names(i).includes('watched'),
    );
    // Followed by the watch alone: no second LIST.
    expect(i.freshness().listedAt).toBe(listed.listedAt);
    expect(i.freshness().lastEventAt! > listed.listedAt!).toBe(true);
  });

  it('lists again when its resourceVersion has expired, whether the API server says so by an ERROR event or by HTTP 410', async () => {
    const link = new Link(
      new URL(K8S_URL!),
      readFileSync(process.env.SANDBOX_K8S_CA!),
    );
    const base = await link.start();
    try {
      const event = informer(base, { skipTLSVerify: true });
      const gone = informer(`${base}/http-410`, { skipTLSVerify: true });
      await Promise.all([event.informer.start(), gone.informer.start()]);
      const listedAt = {
        event: event.informer.freshness().listedAt!,
        gone: gone.informer.freshness().listedAt!,
      };
      expect(event.informer.freshness().state).toBe('synced');
      expect(gone.informer.freshness().state).toBe('synced');

      // The partition: both informers now hold a resourceVersion of at most `cutAt`.
      link.cut();
      const cutAt = (
        await policy.listNamespacedPodDisruptionBudget({ namespace: NAMESPACE })
      ).metadata!.resourceVersion!;
      await policy.createNamespacedPodDisruptionBudget({
        namespace: NAMESPACE,
        body: pdb('first-after-cut'),
      });
      // The watch cache keeps events younger than 75 s whatever their number; older ones
      // go once the cache is full.
      await sleep(80_000);
      let created = 0;
      for (let round = 0; !(await expired(admin, cutAt)); round++) {
        if (round >= 40) {
          throw new Error(
            `the API server still serves PDB events from ${cutAt} after ${created} changes`,
          );
        }
        for (let k = 0; k < 25; k++) {
          const name = `churn-${created++}`;
          await policy.createNamespacedPodDisruptionBudget({
            namespace: NAMESPACE,
            body: pdb(name),
          });
          await policy.deleteNamespacedPodDisruptionBudget({
            name,
            namespace: NAMESPACE,
          });
        }
      }
      await policy.createNamespacedPodDisruptionBudget({
        namespace: NAMESPACE,
        body: pdb('after-expiry'),
      });
      link.restore();

      // Both relist (the back-off reaches 30 s during the cut) and see what changed.
      for (const [form, { informer: i }] of [
        ['event', event],
        ['gone', gone],
      ] as const) {
        await until(
          `the ${form} informer to list again`,
          90,
          () =>
            i.freshness().listedAt !== listedAt[form] &&
            i.freshness().state === 'synced',
        );
        expect(names(i)).toEqual(['after-expiry', 'first-after-cut']);
      }
      // The HTTP 410 form was really answered, and both logged the relist with the cluster.
      expect(link.converted).toBeGreaterThan(0);
      for (const { logger } of [event, gone]) {
        expect(logger.info).toHaveBeenCalledWith(
          'watch resourceVersion expired (410 Gone): listing again',
          expect.objectContaining({
            cluster: 'eks-data-platform',
            resource: 'poddisruptionbudgets',
          }),
        );
      }
    } finally {
      await link.stop();
    }
  });
});

/** Whether the API server has dropped PDB watch history from `resourceVersion`. */
function expired(kc: KubeConfig, resourceVersion: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let decided = false;
    let controller: AbortController | undefined;
    const decide = (value: boolean) => {
      if (decided) return;
      decided = true;
      controller?.abort();
      resolve(value);
    };
    new Watch(kc)
      .watch(
        PDB_PATH,
        { resourceVersion, timeoutSeconds: 2 },
        (type, object) => decide(type === 'ERROR' && object?.code === 410),
        (error: any) => {
          if (error?.statusCode === 410) decide(true);
          else if (error && error.name !== 'AbortError' && !decided) {
            decided = true;
            reject(error);
          } else decide(false);
        },
      )
      .then(c => {
        controller = c;
        if (decided) c.abort();
      }, reject);
  });
}
