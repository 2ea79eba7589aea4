import {
  Content,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { ragChatFeedbackExportPermission } from '@internal/plugin-rag-chat-common';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Grid from '@mui/material/Grid';
import IconButton from '@mui/material/IconButton';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { Route, Routes, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ragChatApiRef } from '../../api';
import { ChatPanel } from '../ChatPanel';
import { ChatStatusNotices } from '../ChatStatusNotices';
import { SourceView } from '../SourceView';

const CONVERSATION_PARAM = 'conversation';

/** The caller's conversations, newest first, to resume or delete. */
function History(props: {
  selected?: string;
  refreshKey: number;
  onSelect: (id?: string) => void;
}) {
  const api = useApi(ragChatApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listConversations(),
    [api, props.refreshKey],
  );
  const [deleteError, setDeleteError] = useState<Error>();
  const remove = async (id: string) => {
    setDeleteError(undefined);
    try {
      await api.deleteConversation(id);
      if (props.selected === id) props.onSelect(undefined);
      retry();
    } catch (e) {
      setDeleteError(e as Error);
    }
  };
  return (
    <Paper variant="outlined" sx={{ p: 1 }}>
      <Stack spacing={1}>
        <Button variant="outlined" onClick={() => props.onSelect(undefined)}>
          New conversation
        </Button>
        {error && (
          <ResponseErrorPanel error={error} title={errorTitle(error)} />
        )}
        {deleteError && (
          <Alert severity="error">{errorTitle(deleteError)}</Alert>
        )}
        {loading && !value && <Progress />}
        {value && value.length === 0 && (
          <Typography variant="body2" color="text.secondary" sx={{ p: 1 }}>
            Your conversations will be listed here.
          </Typography>
        )}
        <List dense aria-label="Conversations">
          {value?.map(c => (
            <ListItemButton
              key={c.id}
              selected={c.id === props.selected}
              onClick={() => props.onSelect(c.id)}
            >
              <ListItemText
                primary={c.title}
                secondary={`${c.messageCount} question${
                  c.messageCount === 1 ? '' : 's'
                }${c.entityRef ? ` · ${c.entityRef}` : ''}`}
                primaryTypographyProps={{ noWrap: true }}
              />
              <IconButton
                edge="end"
                size="small"
                aria-label={`Delete conversation ${c.title}`}
                onClick={e => {
                  e.stopPropagation();
                  remove(c.id);
                }}
              >
                ✕
              </IconButton>
            </ListItemButton>
          ))}
        </List>
        <FeedbackExport />
      </Stack>
    </Paper>
  );
}

/**
 * For those the policy lets export feedback (the platform team): every rated answer as
 * regression cases, downloaded as a JSON Lines file.
 */
function FeedbackExport() {
  const api = useApi(ragChatApiRef);
  const permissionApi = useApi(permissionApiRef);
  const allowed = useAsync(async () => {
    const { result } = await permissionApi.authorize({
      permission: ragChatFeedbackExportPermission,
    });
    return result === AuthorizeResult.ALLOW;
  }, [permissionApi]);
  const [error, setError] = useState<Error>();
  if (!allowed.value) return null;
  const download = async () => {
    setError(undefined);
    try {
      const lines = await api.exportFeedback();
      const url = URL.createObjectURL(
        new Blob([lines], { type: 'application/x-ndjson' }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = `rag-chat-feedback-${new Date()
        .toISOString()
        .slice(0, 10)}.jsonl`;
      link.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <Stack spacing={1}>
      <Button size="small" onClick={download}>
        Export feedback (regression cases)
      </Button>
      {error && <Alert severity="error">{errorTitle(error)}</Alert>}
    </Stack>
  );
}

function Chat() {
  const [params, setParams] = useSearchParams();
  const selected = params.get(CONVERSATION_PARAM) ?? undefined;
  const [refreshKey, setRefreshKey] = useState(0);
  // A new conversation gets a fresh panel; a started one keeps its panel while its id lands in the URL.
  const [panelKey, setPanelKey] = useState(selected ?? 'new');
  const select = (id?: string) => {
    setPanelKey(id ?? `new-${Date.now()}`);
    setParams(id ? { [CONVERSATION_PARAM]: id } : {});
  };
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} md={3}>
        <History
          selected={selected}
          refreshKey={refreshKey}
          onSelect={select}
        />
      </Grid>
      <Grid item xs={12} md={9}>
        <Stack spacing={2}>
          <ChatStatusNotices />
          <Box>
            <ChatPanel
              key={panelKey}
              conversationId={selected}
              placeholder="e.g. Which team owns the LLM ingestors, and where do they write embeddings?"
              onConversationStarted={id => {
                setParams({ [CONVERSATION_PARAM]: id }, { replace: true });
                setRefreshKey(k => k + 1);
              }}
              onAnswered={() => setRefreshKey(k => k + 1)}
            />
          </Box>
        </Stack>
      </Grid>
    </Grid>
  );
}

/** The chat page: conversations on the side, the chat, and the source viewer under /sources. */
export function RagChatPage() {
  return (
    <Content>
      <Routes>
        <Route path="/" element={<Chat />} />
        <Route path="/sources/:sourceId" element={<SourceView />} />
      </Routes>
    </Content>
  );
}
