/*
 * Paths given to the actions stay inside the task's workspace. No sandbox needed: each check
 * runs before the action touches a cluster or the catalog.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { PlatformClients } from '../clients';
import { createKubernetesApplyAction } from './kubernetesApply';
import { isInside, resolveInWorkspace } from './paths';
import { createPublishLocalAction } from './publishLocal';

let base: string;
let workspace: string;

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'platform-paths-'));
  workspace = path.join(base, 'ws');
  // A sibling whose name starts with the workspace's: a prefix match takes it for inside.
  for (const dir of [workspace, `${workspace}-evil`]) {
    await fs.mkdir(path.join(dir, 'k8s'), { recursive: true });
    await fs.writeFile(
      path.join(dir, 'k8s', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm }\n',
    );
    await fs.writeFile(
      path.join(dir, 'catalog-info.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: x }\n',
    );
  }
  await fs.symlink(`${workspace}-evil`, path.join(workspace, 'link'));
});

afterAll(() => fs.rm(base, { recursive: true, force: true }));

describe('isInside', () => {
  it('compares path segments, not string prefixes', () => {
    expect(isInside('/w/ws', '/w/ws')).toBe(true);
    expect(isInside('/w/ws', '/w/ws/k8s/a.yaml')).toBe(true);
    expect(isInside('/w/ws', '/w/ws/..data')).toBe(true);
    expect(isInside('/w/ws', '/w/ws-evil')).toBe(false);
    expect(isInside('/w/ws', '/w/ws-evil/k8s')).toBe(false);
    expect(isInside('/w/ws', '/w')).toBe(false);
    expect(isInside('/w/ws', '/etc/passwd')).toBe(false);
  });
});

describe('resolveInWorkspace', () => {
  it.each([['../ws-evil/k8s'], ['../'], ['..'], ['/etc'], ['link/k8s']])(
    'refuses %s, naming the input',
    async given => {
      await expect(
        resolveInWorkspace(workspace, given, 'path'),
      ).rejects.toThrow(`path: "${given}" is outside the task's workspace`);
    },
  );

  it('accepts a folder inside the workspace', async () => {
    await expect(resolveInWorkspace(workspace, 'k8s', 'path')).resolves.toBe(
      path.join(workspace, 'k8s'),
    );
  });
});

describe('the actions refuse paths outside the workspace', () => {
  const apply = createKubernetesApplyAction(
    new PlatformClients(new ConfigReader({})),
    { rolloutTimeoutSeconds: 1 },
  );
  const publish = () =>
    createPublishLocalAction({
      directory: path.join(base, 'published'),
      catalog: catalogServiceMock(),
      published: {
        publish: async () => {
          throw new Error(
            'nothing may be published from outside the workspace',
          );
        },
        withdraw: async () => ({ withdrawn: false }),
      },
    });

  it.each(['../ws-evil/k8s', '../'])(
    'kubernetes:apply path %s',
    async given => {
      const ctx = createMockActionContext({
        input: { cluster: 'eks-data-platform', path: given },
        workspacePath: workspace,
      });
      await expect(apply.handler(ctx as any)).rejects.toThrow(
        `path: "${given}" is outside the task's workspace`,
      );
    },
  );

  it.each(['../ws-evil', '../'])(
    'platform:publish:local sourcePath %s',
    async given => {
      const ctx = createMockActionContext({
        input: { name: 'x', sourcePath: given },
        workspacePath: workspace,
      });
      await expect(publish().handler(ctx as any)).rejects.toThrow(
        `sourcePath: "${given}" is outside the task's workspace`,
      );
      await expect(fs.stat(path.join(base, 'published'))).rejects.toThrow();
    },
  );
});
