import { techDocsPageUrl, techDocsPages } from './techdocs';

describe('techDocsPages', () => {
  it("groups MkDocs' search index by page, sections in order, without the page's repeated text", () => {
    const pages = techDocsPages([
      { location: '', title: 'Overview', text: 'Home text.' },
      { location: 'runbooks/lag/', title: 'Lag', text: 'All of it again.' },
      {
        location: 'runbooks/lag/#runbook-lag',
        title: 'Runbook: lag',
        text: 'Intro.',
      },
      {
        location: 'runbooks/lag/#check-first',
        title: 'Check first',
        text: 'Look at the trend.',
      },
      { location: 'runbooks/lag/#empty', title: 'Empty', text: '  ' },
    ]);
    expect(pages).toEqual([
      {
        location: '',
        title: 'Overview',
        sections: [{ title: 'Overview', text: 'Home text.' }],
      },
      {
        location: 'runbooks/lag/',
        title: 'Lag',
        sections: [
          { anchor: 'runbook-lag', title: 'Runbook: lag', text: 'Intro.' },
          {
            anchor: 'check-first',
            title: 'Check first',
            text: 'Look at the trend.',
          },
        ],
      },
    ]);
  });

  it('links a section in the TechDocs reader, with the entity lower-cased as TechDocs routes it', () => {
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'Platform-Portal', namespace: 'Default' },
    };
    expect(techDocsPageUrl(entity, 'runbooks/lag/', 'check-first')).toBe(
      '/docs/default/component/platform-portal/runbooks/lag/#check-first',
    );
    expect(techDocsPageUrl(entity, '')).toBe(
      '/docs/default/component/platform-portal/',
    );
  });
});
