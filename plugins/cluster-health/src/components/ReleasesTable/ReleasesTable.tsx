import { Link } from '@backstage/core-components';
import {
  ClusterSummary,
  GithubReleaseView,
} from '@internal/plugin-cluster-health-common';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { unreadResources } from '../../lib/freshness';
import { UnreadNotice } from '../UnreadNotice';

const PHASE_COLOR: Record<string, 'error' | 'success'> = {
  Failed: 'error',
  Succeeded: 'success',
};

/** GithubRelease objects and the producer Jobs they started, or why a cluster's are not read. */
export function ReleasesTable({
  releases,
  clusters,
}: {
  releases: GithubReleaseView[];
  /** The clusters read, for whether each could list GithubReleases at all. */
  clusters: ClusterSummary[];
}) {
  const unread = clusters.flatMap(c =>
    unreadResources(c, ['githubreleases']).map(u => ({
      label: c.name,
      words: u.words,
    })),
  );
  const notice = (
    <UnreadNotice
      lines={unread}
      what={`GithubReleases not read in ${unread.length} of ${clusters.length} clusters:`}
    />
  );
  if (releases.length === 0) {
    const read = clusters.filter(c => !unread.some(u => u.label === c.name));
    return (
      <>
        {notice}
        {read.length > 0 && (
          <Typography>
            No GithubRelease objects in {read.map(c => c.name).join(', ')}.
          </Typography>
        )}
      </>
    );
  }
  return (
    <>
      {notice}
      <Table size="small" aria-label="GitHub releases">
        <TableHead>
          <TableRow>
            <TableCell>Release</TableCell>
            <TableCell>Phase</TableCell>
            <TableCell>Producer Jobs</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {releases.map(r => (
            <TableRow key={`${r.cluster}/${r.namespace}/${r.name}`}>
              <TableCell>
                {r.url ? (
                  <Link to={r.url}>{`${r.repository} ${r.tag}`}</Link>
                ) : (
                  `${r.repository} ${r.tag}`
                )}
              </TableCell>
              <TableCell>
                <Chip
                  size="small"
                  label={r.phase}
                  color={PHASE_COLOR[r.phase] ?? 'default'}
                />
              </TableCell>
              <TableCell>
                {r.jobs.length === 0
                  ? 'none yet'
                  : r.jobs.map(j => (
                      <div key={j.name}>
                        {j.name}: {j.status}
                        {j.message ? ` — ${j.message}` : ''}
                      </div>
                    ))}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
