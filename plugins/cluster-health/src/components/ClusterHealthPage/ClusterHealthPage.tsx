import { useState } from 'react';
import {
  Content,
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import { errorTitle } from '@internal/platform-react';
import { clusterHealthApiRef } from '../../api';
import { usePanel } from '../../hooks';
import { ClusterPanels } from '../ClusterPanels';
import { FreshnessBadge } from '../FreshnessBadge';
import { Panel } from '../Panel';
import { ReleasesTable } from '../ReleasesTable';
import { UnsupportedClusters } from '../UnsupportedClusters';

const CONFIG_KEY = 'kubernetes.clusterLocatorMethods';

/** The Cluster health page: a badge per cluster read, the chosen cluster's panels, and GitHub releases. */
export function ClusterHealthPage() {
  const api = useApi(clusterHealthApiRef);
  const clusters = usePanel(() => api.listClusters(), []);
  const releases = usePanel(() => api.getGithubReleases(), []);
  const [selected, setSelected] = useState<string>();

  let body: JSX.Element;
  if (clusters.error) {
    body = (
      <ResponseErrorPanel
        error={clusters.error}
        title={errorTitle(clusters.error)}
      />
    );
  } else if (!clusters.value) {
    body = <Progress />;
  } else if (clusters.value.length === 0) {
    body = (
      <EmptyState
        missing="field"
        title="No clusters configured"
        description={`List the clusters under ${CONFIG_KEY} (type "config", authProvider "serviceAccount" or "aws") in app-config.yaml; scripts/sandbox up k8s adds the sandbox's cluster.`}
      />
    );
  } else {
    // Configured clusters the portal does not read come with the reason and the key to fix.
    const read = clusters.value.filter(c => !c.unsupported);
    const notRead = (
      <UnsupportedClusters
        clusters={clusters.value.filter(c => c.unsupported)}
      />
    );
    const cluster = read.find(c => c.name === selected) ?? read[0];
    body = !cluster ? (
      notRead
    ) : (
      <Stack spacing={3}>
        {notRead}
        <Stack direction="row" spacing={1} flexWrap="wrap" alignItems="center">
          {read.map(c => (
            <Box
              key={c.name}
              onClick={() => setSelected(c.name)}
              sx={{
                cursor: 'pointer',
                opacity: c.name === cluster.name ? 1 : 0.6,
              }}
            >
              <FreshnessBadge cluster={c} />
            </Box>
          ))}
        </Stack>
        <ClusterPanels cluster={cluster} />
        <InfoCard
          title="GitHub releases"
          subheader="GithubRelease objects of the operator and the producer Jobs they started"
        >
          <Panel state={releases}>
            {value => <ReleasesTable releases={value} clusters={read} />}
          </Panel>
        </InfoCard>
      </Stack>
    );
  }
  return <Content>{body}</Content>;
}
