import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { SandboxBannerWrapper } from './SandboxBanner';

const page = (
  <SandboxBannerWrapper>
    <h1>Cluster health</h1>
  </SandboxBannerWrapper>
);

describe('SandboxBanner', () => {
  it('shows app.sandboxBanner above the page', async () => {
    await renderInTestApp(page, {
      config: {
        app: {
          sandboxBanner:
            'Demo: this portal runs on the local sandbox (scripts/sandbox status)',
        },
      },
    });
    const banner = screen.getByRole('status', { name: 'Sandbox banner' });
    expect(banner).toHaveTextContent(
      'Demo: this portal runs on the local sandbox (scripts/sandbox status)',
    );
    // The page is still there, after the bar.
    const heading = screen.getByRole('heading', { name: 'Cluster health' });
    expect(
      banner.compareDocumentPosition(heading) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it('is absent without the key', async () => {
    await renderInTestApp(page);
    expect(
      screen.getByRole('heading', { name: 'Cluster health' }),
    ).toBeVisible();
    expect(
      screen.queryByRole('status', { name: 'Sandbox banner' }),
    ).not.toBeInTheDocument();
    expect(screen.queryByText(/local sandbox/)).not.toBeInTheDocument();
  });
});
