import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Stack from '@mui/material/Stack';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ragChatApiRef } from '../../api';
import { errorTitle } from '../../lib/errors';

/**
 * What the chat can do right now: the index, and the notices that name the
 * config keys which would make it better (no chat model, no embeddings, store down).
 */
export function ChatStatusNotices() {
  const api = useApi(ragChatApiRef);
  const { value, loading, error } = useAsyncRetry(() => api.getStatus(), [api]);
  if (error) {
    return <ResponseErrorPanel error={error} title={errorTitle(error)} />;
  }
  if (!value) return loading ? <Progress /> : null;
  const sources = value.index.sources;
  const total = sources.reduce((n, s) => n + s.sources, 0);
  return (
    <Stack spacing={1} data-testid="chat-status">
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
          {value.index.running || !value.index.lastRunAt
            ? 'The index is being built; answers will find more in a moment.'
            : 'Nothing is indexed yet: check ragChat.sources (catalog, docs.paths, ingestorEmbeddings).'}
        </Alert>
      )}
    </Stack>
  );
}
