import { ClusterSummary } from '@internal/plugin-cluster-health-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';

/** One line per configured cluster (or locator method) that the portal does not read. */
export function UnsupportedClusters({
  clusters,
}: {
  clusters: ClusterSummary[];
}) {
  if (clusters.length === 0) return null;
  return (
    <Alert severity="error">
      <AlertTitle>
        {clusters.length === 1
          ? '1 configured cluster is not read'
          : `${clusters.length} configured clusters are not read`}
      </AlertTitle>
      {clusters.map(c => (
        <div key={c.unsupported!.configKey}>
          <strong>{c.unsupported!.name ?? c.title ?? c.name}</strong>:{' '}
          {c.unsupported!.reason}
          {!c.unsupported!.reason.includes(c.unsupported!.configKey) && (
            <>
              {' '}
              (config key <code>{c.unsupported!.configKey}</code>)
            </>
          )}
        </div>
      ))}
    </Alert>
  );
}
