/*
 * platform:validate's own checks: values a task sent through the API lacks, malformed values,
 * and a rendered catalog entity the catalog would reject. No sandbox needed: these fail before
 * the action contacts any cluster (the clients here know none). The same checks through the
 * real scaffolder, against the sandbox's Kafka and API server: scaffolderBackend.test.ts.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { PlatformClients } from '../clients';
import { createValidateAction } from './validate';

const action = createValidateAction(new PlatformClients(new ConfigReader({})));
let workspace: string;

const entity = (description: string) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: pipeline
  description: ${description}
spec:
  type: service
  lifecycle: experimental
  owner: group:default/data-engineering
`;

beforeAll(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'platform-validate-'));
});
afterAll(() => fs.rm(workspace, { recursive: true, force: true }));

const run = (input: Record<string, unknown>) =>
  action.handler(
    createMockActionContext({
      input: input as any,
      workspacePath: workspace,
    }) as any,
  );

const pipeline = {
  required: ['name', 'description', 'owner', 'kafkaCluster', 'topic'],
  name: 'pipeline',
  description: 'A pipeline',
  owner: 'group:default/data-engineering',
  topic: 'pipeline-events',
};

describe('platform:validate', () => {
  it('names each value a later step needs that the task did not send', async () => {
    const { description, kafkaCluster, ...sent } = {
      ...pipeline,
      kafkaCluster: undefined,
    };
    await expect(run(sent)).rejects.toThrow(
      /^description: missing\. A task started through the scaffolder's API gets none of the form's defaults: send description in the task's values; kafkaCluster: missing\./,
    );
  });

  it('says what the catalog would reject in the rendered entity', async () => {
    await fs.writeFile(path.join(workspace, 'catalog-info.yaml'), entity(''));
    await expect(
      run({
        ...pipeline,
        required: [],
        entityPath: 'catalog-info.yaml',
      }),
    ).rejects.toThrow(
      'catalog entity catalog-info.yaml: the catalog would reject it: Malformed envelope, /metadata/description must be string',
    );
  });

  it('names malformed values', async () => {
    await expect(
      run({
        name: 'Bad_Name',
        owner: 'component:default/data-engineering',
        image: 'not an image',
        port: 70000,
        partitions: 6,
        maxReplicas: 12,
      }),
    ).rejects.toThrow(
      /name: "Bad_Name" is not a valid Kubernetes name.*owner: "component:default\/data-engineering" is a component; an owner is a Group or a User.*maxReplicas: 12 is more than the topic's 6 partitions.*port: 70000 must be a whole number from 1 to 65535.*image: "not an image" is not an image reference/,
    );
  });

  it('refuses a required name it does not know, so that a typo in a template cannot pass', async () => {
    await expect(run({ required: ['descripton'] })).rejects.toThrow(
      'required: "descripton" is not a value platform:validate knows',
    );
  });

  it('accepts a complete set of values and a valid entity', async () => {
    await fs.writeFile(
      path.join(workspace, 'catalog-info.yaml'),
      entity('A pipeline'),
    );
    await expect(
      run({
        ...pipeline,
        required: pipeline.required.filter(k => k !== 'kafkaCluster'),
        entityPath: 'catalog-info.yaml',
      }),
    ).resolves.toBeUndefined();
  });
});
