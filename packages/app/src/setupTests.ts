import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI runs these tests beside the sandbox's Go builds on two cores, where a render can take
// seconds: findBy*/waitFor wait up to 10 s (default 1 s) before they fail.
configure({ asyncUtilTimeout: 10_000 });

jest.setTimeout(30_000);
