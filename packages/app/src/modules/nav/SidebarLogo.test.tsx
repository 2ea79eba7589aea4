import { SidebarOpenStateProvider } from '@backstage/core-components';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { SidebarLogo } from './SidebarLogo';

const renderLogo = (isOpen: boolean) =>
  renderInTestApp(
    <SidebarOpenStateProvider value={{ isOpen, setOpen: () => {} }}>
      <SidebarLogo />
    </SidebarOpenStateProvider>,
    { config: { app: { title: 'ML platform portal' } } },
  );

describe('SidebarLogo', () => {
  it("shows the portal's name from app.title, not Backstage's logo", async () => {
    await renderLogo(true);
    const home = screen.getByRole('link', { name: 'Home' });
    expect(home).toHaveTextContent('ML platform portal');
    expect(home).toHaveAttribute('href', '/');
    // Backstage's word mark is one wide path; the portal's mark is three layers.
    expect(home.querySelectorAll('svg path')).toHaveLength(3);
    expect(home.querySelector('svg')).toHaveAttribute('viewBox', '0 0 32 32');
  });

  it('shows only the mark when the sidebar is closed', async () => {
    await renderLogo(false);
    const home = screen.getByRole('link', { name: 'Home' });
    expect(home).not.toHaveTextContent('ML platform portal');
    expect(home.querySelectorAll('svg path')).toHaveLength(3);
  });
});
