import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI runs these tests beside the sandbox's Go builds on two cores, where a render can take
// seconds: findBy*/waitFor wait up to 10 s (default 1 s) before they fail.
configure({ asyncUtilTimeout: 10_000 });

// recharts' ResponsiveContainer observes its size; jsdom has no ResizeObserver.
class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
if (!('ResizeObserver' in globalThis)) {
  (globalThis as any).ResizeObserver = NoopResizeObserver;
}

// The material-table based tables render slowly in jsdom; on a busy machine a
// full page test can pass the default 5 s.
jest.setTimeout(30_000);
