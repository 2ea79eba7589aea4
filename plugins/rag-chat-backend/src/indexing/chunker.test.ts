import { chunkMarkdown, headingAnchor, splitFrontMatter } from './chunker';

describe('chunkMarkdown', () => {
  const doc = [
    'Intro line before any heading.',
    '',
    '# Platform',
    'The platform runs on EKS.',
    '## Kafka',
    'Three brokers.',
    '```sh',
    '# not a heading: a shell comment',
    'kafka-topics --list',
    '```',
    '### Consumer groups',
    'webapp-consumer and llm-ingestors.',
    '## GPU node group',
    'Model servers run here.',
    '# Empty section',
    '',
  ].join('\n');

  it('makes one chunk per section with its heading path and anchor', () => {
    const chunks = chunkMarkdown(doc, { maxChars: 1000 });
    expect(chunks.map(c => [c.index, c.heading, c.anchor])).toEqual([
      [0, undefined, undefined],
      [1, 'Platform', 'platform'],
      [2, 'Platform › Kafka', 'kafka'],
      [3, 'Platform › Kafka › Consumer groups', 'consumer-groups'],
      [4, 'Platform › GPU node group', 'gpu-node-group'],
    ]);
    // A '#' line inside a code fence stays in its section.
    expect(chunks[2].text).toContain('# not a heading: a shell comment');
  });

  it('splits long sections at paragraphs, then sentences, within the limit', () => {
    const paragraph = (n: number) =>
      Array.from({ length: 6 }, (_, i) => `Sentence ${n}.${i} about lag.`).join(
        ' ',
      );
    const long = `# Long\n\n${[1, 2, 3, 4].map(paragraph).join('\n\n')}`;
    const chunks = chunkMarkdown(long, { maxChars: 200 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(200);
      expect(chunk.heading).toBe('Long');
    }
    // Nothing is lost.
    expect(chunks.map(c => c.text).join(' ')).toContain('Sentence 4.5');
    expect(chunks.map(c => c.text).join(' ')).toContain('Sentence 1.0');
  });

  it('hashes heading and text, so only a changed section changes its hash', () => {
    const before = chunkMarkdown('# A\none\n# B\ntwo', { maxChars: 100 });
    const after = chunkMarkdown('# A\none\n# B\ntwo, changed', {
      maxChars: 100,
    });
    expect(after[0].contentHash).toBe(before[0].contentHash);
    expect(after[1].contentHash).not.toBe(before[1].contentHash);
    const renamed = chunkMarkdown('# A2\none', { maxChars: 100 });
    expect(renamed[0].contentHash).not.toBe(before[0].contentHash);
  });
});

describe('headingAnchor', () => {
  it('follows GitHub’s anchors', () => {
    expect(headingAnchor('Kafka: lag & status (Burrow)')).toBe(
      'kafka-lag--status-burrow',
    );
    expect(headingAnchor('`hnsw.ef_search` tuning')).toBe(
      'hnswef_search-tuning',
    );
  });
});

describe('splitFrontMatter', () => {
  it('reads flat attributes and returns the body', () => {
    const { attributes, body } = splitFrontMatter(
      '---\ntitle: "Runbook"\nrestricted-to: group:default/platform-team\n---\n# Runbook\n',
    );
    expect(attributes).toEqual({
      title: 'Runbook',
      'restricted-to': 'group:default/platform-team',
    });
    expect(body).toBe('# Runbook\n');
    expect(splitFrontMatter('# No front matter').attributes).toEqual({});
  });
});
