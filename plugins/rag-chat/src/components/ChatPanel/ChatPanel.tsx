import { useEffect, useRef, useState } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { ChatMessage, ChatStreamEvent } from '@internal/plugin-rag-chat-common';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import useAsync from 'react-use/esm/useAsync';
import { ragChatApiRef } from '../../api';
import { MessageView, Turn } from './MessageView';

export interface ChatPanelProps {
  /** Resume this conversation. */
  conversationId?: string;
  /** Scope the questions to this entity and its relations. */
  entityRef?: string;
  /** Called when the first answer of a new conversation starts. */
  onConversationStarted?: (id: string) => void;
  /** Called when an answer is complete (stored). */
  onAnswered?: (message: ChatMessage) => void;
  placeholder?: string;
}

const toTurn = (m: ChatMessage): Turn => ({
  id: m.id,
  question: m.question,
  answer: m.answer,
  passages: m.passages,
  mode: m.mode,
  notices: m.notices,
  state: m.status,
  error: m.error,
  rating: m.feedback?.rating,
  comment: m.feedback?.comment,
});

/**
 * A conversation: earlier turns, the answer streaming in (with a stop button),
 * and the question box.
 */
export function ChatPanel(props: ChatPanelProps) {
  const { entityRef, onConversationStarted } = props;
  const api = useApi(ragChatApiRef);
  // The conversation this panel resumed or started; a parent that passes the
  // started id back (e.g. into the URL) does not reload it mid-answer.
  const [resumedId] = useState(props.conversationId);
  const [conversationId, setConversationId] = useState(props.conversationId);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [question, setQuestion] = useState('');
  const [askError, setAskError] = useState<Error>();
  const controller = useRef<AbortController>();
  const streaming = turns.some(t => t.state === 'streaming');

  const loaded = useAsync(async () => {
    if (!resumedId) return [];
    const conversation = await api.getConversation(resumedId);
    return conversation.messages.map(toTurn);
  }, [api, resumedId]);
  useEffect(() => {
    if (loaded.value) setTurns(loaded.value);
  }, [loaded.value]);
  useEffect(() => () => controller.current?.abort(), []);

  const updateLast = (fn: (t: Turn) => Turn) =>
    setTurns(ts =>
      ts.length === 0 ? ts : [...ts.slice(0, -1), fn(ts[ts.length - 1])],
    );

  const onEvent = (event: ChatStreamEvent) => {
    switch (event.type) {
      case 'start':
        if (!conversationId) {
          setConversationId(event.conversationId);
          onConversationStarted?.(event.conversationId);
        }
        updateLast(t => ({
          ...t,
          id: event.messageId,
          passages: event.passages,
          mode: event.mode,
          notices: event.notices,
        }));
        break;
      case 'delta':
        updateLast(t => ({ ...t, answer: t.answer + event.text }));
        break;
      case 'notice':
        updateLast(t => ({
          ...t,
          mode: event.mode,
          notices: [...t.notices, event.notice],
        }));
        break;
      case 'done':
        updateLast(() => toTurn(event.message));
        props.onAnswered?.(event.message);
        break;
      case 'error':
        updateLast(t => ({ ...t, state: 'error', error: event.message }));
        break;
      default:
    }
  };

  const send = async () => {
    const text = question.trim();
    if (!text || streaming) return;
    setAskError(undefined);
    const abort = new AbortController();
    controller.current = abort;
    setTurns(ts => [
      ...ts,
      {
        question: text,
        answer: '',
        passages: [],
        notices: [],
        state: 'streaming',
      },
    ]);
    setQuestion('');
    try {
      await api.ask(
        { question: text, conversationId, entityRef },
        { onEvent, signal: abort.signal },
      );
      if (abort.signal.aborted) {
        updateLast(t =>
          t.state === 'streaming' ? { ...t, state: 'stopped' } : t,
        );
      } else {
        updateLast(t =>
          t.state === 'streaming'
            ? { ...t, state: 'error', error: 'The answer ended unexpectedly' }
            : t,
        );
      }
    } catch (error) {
      // Refused before any answer (too long, too many, not found): take the question back.
      setTurns(ts => ts.slice(0, -1));
      setQuestion(text);
      setAskError(error as Error);
    }
  };

  if (loaded.error) {
    return (
      <ResponseErrorPanel
        error={loaded.error}
        title={errorTitle(loaded.error)}
      />
    );
  }
  if (resumedId && loaded.loading) return <Progress />;

  return (
    <Stack spacing={2}>
      {turns.map((turn, i) => (
        <Stack spacing={2} key={turn.id ?? `pending-${i}`}>
          {i > 0 && <Divider />}
          <MessageView turn={turn} />
        </Stack>
      ))}
      {askError && (
        <Alert severity="error" data-testid="ask-error">
          {errorTitle(askError)}
        </Alert>
      )}
      <Stack direction="row" spacing={1} alignItems="flex-start">
        <TextField
          fullWidth
          multiline
          maxRows={6}
          label={turns.length ? 'Ask a follow-up' : 'Ask a question'}
          placeholder={props.placeholder}
          value={question}
          onChange={e => setQuestion(e.target.value)}
          onKeyDown={e => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              send();
            }
          }}
        />
        {streaming ? (
          <Button
            variant="outlined"
            color="warning"
            onClick={() => controller.current?.abort()}
          >
            Stop
          </Button>
        ) : (
          <Button
            variant="contained"
            onClick={send}
            disabled={!question.trim()}
          >
            Ask
          </Button>
        )}
      </Stack>
    </Stack>
  );
}
