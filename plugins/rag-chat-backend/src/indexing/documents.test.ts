import { rmSync } from 'node:fs';
import path from 'node:path';
import { writeDocs } from '../__testUtils__/fixtures';
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
});
