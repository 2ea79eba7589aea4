import { useEffect } from 'react';
import {
  Link,
  MarkdownContent,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { errorTitle } from '@internal/platform-react';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useLocation, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { ragChatApiRef } from '../../api';
import { rootRouteRef } from '../../routes';

/** An indexed doc as the chat read it, scrolled to the cited section. */
export function SourceView() {
  const api = useApi(ragChatApiRef);
  const { sourceId = '' } = useParams();
  const { hash } = useLocation();
  const chatLink = useRouteRef(rootRouteRef);
  const { value, loading, error } = useAsync(
    () => api.getSource(sourceId),
    [api, sourceId],
  );
  useEffect(() => {
    if (value && hash) {
      document
        .getElementById(decodeURIComponent(hash.slice(1)))
        ?.scrollIntoView?.();
    }
  }, [value, hash]);

  const back = <Link to={chatLink?.() ?? '/rag-chat'}>← Back to the chat</Link>;
  if (error) {
    return (
      <Stack spacing={2}>
        <ResponseErrorPanel error={error} title={errorTitle(error)} />
        {back}
      </Stack>
    );
  }
  if (loading || !value) return <Progress />;
  return (
    <Stack spacing={2}>
      {back}
      <Typography variant="body2" color="text.secondary">
        {value.sourceId} · indexed {new Date(value.indexedAt).toLocaleString()}{' '}
        · checked {new Date(value.checkedAt).toLocaleString()}
      </Typography>
      <Paper variant="outlined" sx={{ p: 2 }}>
        <MarkdownContent content={value.text} dialect="gfm" />
      </Paper>
    </Stack>
  );
}
