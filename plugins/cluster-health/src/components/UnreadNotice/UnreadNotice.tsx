import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import { unreadResources } from '../../lib/freshness';

/** One line per resource type that is not read, naming why and what to grant or install. */
export function UnreadNotice({
  lines,
  what,
}: {
  lines: { label: string; words: string }[];
  what: string;
}) {
  if (lines.length === 0) return null;
  return (
    <Alert severity="warning" sx={{ mb: 1 }}>
      <AlertTitle>{what}</AlertTitle>
      {lines.map(l => (
        <div key={l.label}>
          <strong>{l.label}</strong>: {l.words}
        </div>
      ))}
    </Alert>
  );
}

/** {@link UnreadNotice}'s lines for a cluster's unread types, one per type. */
export const asLines = (unread: ReturnType<typeof unreadResources>) =>
  unread.map(u => ({ label: u.resource, words: u.words }));
