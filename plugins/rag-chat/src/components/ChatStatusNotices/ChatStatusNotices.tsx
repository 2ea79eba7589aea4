import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { ragChatApiRef } from '../../api';

/**
 * What the chat can do right now: the index, and the notices that name the
 * config keys which would make it better (no chat model, no embeddings, store down).
 */
export function ChatStatusNotices() {
  const api = useApi(ragChatApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getStatus(),
    [api],
  );
  const building =
    !!value &&
    (value.index.running || !value.index.lastRunAt) &&
    value.index.sources.length === 0;
  // While an index run is going, look again until it is done.
  useInterval(
    retry,
    value && (value.index.running || !value.index.lastRunAt) ? 5000 : null,
  );
  if (error) {
    return <ResponseErrorPanel error={error} title={errorTitle(error)} />;
  }
  if (!value) return loading ? <Progress /> : null;
  const sources = value.index.sources;
  const total = sources.reduce((n, s) => n + s.sources, 0);
  const chunks = sources.reduce((n, s) => n + s.chunks, 0);
  return (
    <Stack spacing={1} data-testid="chat-status">
      {total > 0 && (
        <Typography variant="body2" color="text.secondary">
          Indexed {total} sources ({chunks} passages) ·{' '}
          {value.embeddings.configured
            ? 'semantic and full-text search'
            : 'full-text search'}{' '}
          ·{' '}
          {value.chat.configured
            ? `answers by ${value.chat.model}`
            : 'answers quote the passages'}
          {value.index.running && ' · indexing…'}
        </Typography>
      )}
      {value.notices.map(notice => (
        <Alert key={notice} severity="info">
          {notice}
        </Alert>
      ))}
      {value.index.lastRunError && (
        <Alert severity="warning">
          <AlertTitle>The last index run had problems</AlertTitle>
          {value.index.lastRunError}
        </Alert>
      )}
      {total === 0 && (
        <Alert severity="warning">
          {building
            ? 'The index is being built; answers will find more in a moment.'
            : 'Nothing is indexed yet: check ragChat.sources (catalog, docs.paths, techdocs, ingestorEmbeddings).'}
        </Alert>
      )}
    </Stack>
  );
}
