import { entityLink, shortEntityRef } from './entityRefs';

describe('entityLink', () => {
  it.each([
    ['component:default/webapp', '/catalog/default/component/webapp'],
    ['Resource:ml/trainer', '/catalog/ml/resource/trainer'],
  ])('links %p to %p', (ref, path) => {
    expect(entityLink(ref)).toBe(path);
  });

  it('refuses a ref without a kind', () => {
    expect(() => entityLink('webapp')).toThrow(/missing or empty kind/);
  });
});

describe('shortEntityRef', () => {
  it.each([
    ['component:default/release-notifier', 'component', 'release-notifier'],
    ['component:ml/trainer', 'component', 'ml/trainer'],
    ['group:default/ml', 'component', 'group:ml'],
    ['group:platform/ml', 'user', 'group:platform/ml'],
    ['Group:default/ml', 'group', 'ml'],
  ])('reads %p (default kind %p) as %p', (ref, defaultKind, short) => {
    expect(shortEntityRef(ref, defaultKind)).toBe(short);
  });
});
