import { rmSync } from 'node:fs';
import path from 'node:path';
import { writeDocs } from '../__testUtils__/fixtures';
import { chunkMarkdown } from './chunker';
import { readDocs } from './documents';

describe('readDocs', () => {
  const root = writeDocs({
    'docs/open.md': '# Open\n\nFor everyone.',
    'docs/team.md':
      '---\nrestricted-to: platform-team\n---\n# Team\n\nFor one group.',
    'docs/entity.md':
      '---\nentity: resource:default/eks-break-glass-role\n---\n# Tied\n\nFollows the entity.',
    'docs/bad.md':
      '---\nentity: eks-break-glass-role\n---\n# Bad\n\nNever indexed.',
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads the group and the entity a doc is guarded by, and skips a doc whose guard is invalid', async () => {
    const { documents, missing, skipped } = await readDocs({
      paths: [path.join(root, 'docs')],
      root,
    });
    expect(missing).toEqual([]);
    const guards = Object.fromEntries(
      documents.map(d => [
        d.sourceId,
        { entityRef: d.entityRef, restrictedTo: d.restrictedTo },
      ]),
    );
    expect(guards).toEqual({
      'doc:docs/entity.md': {
        entityRef: 'resource:default/eks-break-glass-role',
        restrictedTo: undefined,
      },
      'doc:docs/open.md': { entityRef: undefined, restrictedTo: undefined },
      'doc:docs/team.md': {
        entityRef: undefined,
        restrictedTo: 'group:default/platform-team',
      },
    });
    expect(skipped).toEqual([
      { path: 'docs/bad.md', reason: expect.stringMatching(/entity ref/i) },
    ]);
  });

  describe('files that are not Markdown', () => {
    const code = writeDocs({
      'cluster/main.tf': [
        '# Model servers of up to eight GPUs (A100).',
        'gpu-8x = {',
        '  instance_types = ["p4d.24xlarge"]',
        '}',
        'notes = <<EOT',
        '```',
        'EOT',
        '# after a fence line of the file',
      ].join('\n'),
      'cluster/helm/keda.yaml': '# KEDA\noperator:\n  replicaCount: 2\n',
      'cluster/README.md': '# The cluster\n\nHow it is built.',
      'cluster/notes.txt': 'not read',
    });
    afterAll(() => rmSync(code, { recursive: true, force: true }));

    it('reads only Markdown by default', async () => {
      const { documents } = await readDocs({
        paths: [path.join(code, 'cluster')],
        root: code,
      });
      expect(documents.map(d => d.sourceId)).toEqual(['doc:cluster/README.md']);
    });

    it('reads the configured endings as code, titled by their path, comments kept as text', async () => {
      const { documents } = await readDocs({
        paths: [path.join(code, 'cluster')],
        extensions: ['.md', '.tf', '.yaml'],
        root: code,
      });
      expect(documents.map(d => [d.sourceId, d.title])).toEqual([
        ['doc:cluster/README.md', 'The cluster'],
        ['doc:cluster/helm/keda.yaml', 'cluster/helm/keda.yaml'],
        ['doc:cluster/main.tf', 'cluster/main.tf'],
      ]);
      const tf = documents.find(d => d.sourceId === 'doc:cluster/main.tf')!;
      const chunks = chunkMarkdown(tf.markdown, { maxChars: 2000 });
      // One section under the path: the `#` comments are not headings.
      expect(chunks.map(c => c.heading)).toEqual(['cluster/main.tf']);
      expect(chunks[0].text).toContain(
        '# Model servers of up to eight GPUs (A100).',
      );
      expect(chunks[0].text).toContain('instance_types = ["p4d.24xlarge"]');
      // A fence line of the file does not close the document's: no heading after it.
      expect(chunks[0].text).toContain('# after a fence line of the file');
    });
  });
});
