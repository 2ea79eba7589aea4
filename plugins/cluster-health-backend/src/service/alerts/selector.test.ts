import { matchesAll, parseAlertSelector } from './selector';

describe('parseAlertSelector', () => {
  it('reads the four operators, with or without braces, and escaped quotes', () => {
    expect(
      parseAlertSelector(
        '{alertname=~"Gpu.*", namespace="ml", severity!="info", team!~"web|data", note="a \\"b\\""}',
      ),
    ).toEqual([
      { name: 'alertname', op: '=~', value: 'Gpu.*' },
      { name: 'namespace', op: '=', value: 'ml' },
      { name: 'severity', op: '!=', value: 'info' },
      { name: 'team', op: '!~', value: 'web|data' },
      { name: 'note', op: '=', value: 'a "b"' },
    ]);
    expect(parseAlertSelector('namespace="ml"')).toEqual([
      { name: 'namespace', op: '=', value: 'ml' },
    ]);
  });

  it('names the annotation and the part it cannot read', () => {
    expect(() => parseAlertSelector('namespace=ml')).toThrow(
      /ml-platform.io\/alert-selector: cannot read "namespace=ml"/,
    );
    expect(() => parseAlertSelector('{}')).toThrow(/no label matcher/);
    expect(() => parseAlertSelector('a=~"("')).toThrow(
      /regular expression of a is not valid/,
    );
  });
});

describe('matchesAll', () => {
  const labels = { alertname: 'GpuXidError', namespace: 'ml', gpu: '7' };

  it('anchors regular expressions, as Alertmanager does', () => {
    expect(matchesAll(labels, parseAlertSelector('alertname=~"Gpu.*"'))).toBe(
      true,
    );
    expect(matchesAll(labels, parseAlertSelector('alertname=~"Xid"'))).toBe(
      false,
    );
    expect(matchesAll(labels, parseAlertSelector('alertname!~"Gpu"'))).toBe(
      true,
    );
  });

  it('needs every matcher, and reads an absent label as empty', () => {
    expect(
      matchesAll(labels, parseAlertSelector('namespace="ml",gpu="6"')),
    ).toBe(false);
    expect(matchesAll(labels, parseAlertSelector('team=""'))).toBe(true);
    expect(matchesAll(labels, parseAlertSelector('team!=""'))).toBe(false);
  });
});
