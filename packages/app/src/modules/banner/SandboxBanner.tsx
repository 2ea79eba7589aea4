import { ReactNode } from 'react';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import Alert from '@mui/material/Alert';

/** Height of the bar; the page below starts that much lower. */
const BANNER_HEIGHT = 32;

/**
 * A thin bar at the top of every page with `app.sandboxBanner` (set by
 * `scripts/sandbox up` in app-config.local.yaml); nothing when the key is unset.
 */
export function SandboxBanner() {
  const text = useApi(configApiRef).getOptionalString('app.sandboxBanner');
  if (!text) return null;
  return (
    <>
      <Alert
        severity="info"
        variant="filled"
        role="status"
        aria-label="Sandbox banner"
        sx={{
          // Fixed above the sidebar (which is fixed at the top too), the width of the window.
          position: 'fixed',
          top: 0,
          left: 0,
          right: 0,
          zIndex: theme => theme.zIndex.appBar + 1,
          height: BANNER_HEIGHT,
          borderRadius: 0,
          py: 0,
          alignItems: 'center',
          '& .MuiAlert-icon, & .MuiAlert-message': { py: 0 },
        }}
      >
        {text}
      </Alert>
      <div style={{ height: BANNER_HEIGHT }} />
    </>
  );
}

/** The app's layout with the banner above it. */
export function SandboxBannerWrapper({ children }: { children: ReactNode }) {
  return (
    <>
      <SandboxBanner />
      {children}
    </>
  );
}
