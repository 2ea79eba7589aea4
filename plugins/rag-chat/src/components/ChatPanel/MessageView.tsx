import { useState } from 'react';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  AnswerMode,
  FeedbackRating,
  Passage,
} from '@internal/plugin-rag-chat-common';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import SvgIcon from '@mui/material/SvgIcon';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { ragChatApiRef } from '../../api';
import { AnswerText, passageName } from '../AnswerText';

/** A turn as shown: a stored message, or the one streaming in. */
export interface Turn {
  id?: string;
  question: string;
  answer: string;
  passages: Passage[];
  mode?: AnswerMode;
  notices: string[];
  state: 'streaming' | 'complete' | 'stopped' | 'error';
  error?: string;
  rating?: FeedbackRating;
  comment?: string;
}

const THUMB_UP =
  'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z';

function Thumb(props: { down?: boolean }) {
  return (
    <SvgIcon
      fontSize="small"
      sx={props.down ? { transform: 'rotate(180deg)' } : undefined}
    >
      <path d={THUMB_UP} />
    </SvgIcon>
  );
}

const KIND_LABEL = {
  entity: 'catalog',
  doc: 'doc',
  techdocs: 'TechDocs',
  ingestor: 'ingested',
};

function Sources(props: { passages: Passage[] }) {
  if (props.passages.length === 0) return null;
  return (
    <Box component="ol" sx={{ m: 0, pl: 3 }} aria-label="Sources">
      {props.passages.map(p => (
        <li key={p.n} value={p.n}>
          <Typography variant="body2" component="span">
            <Link to={p.url}>{passageName(p)}</Link>{' '}
            <Chip size="small" variant="outlined" label={KIND_LABEL[p.kind]} />
          </Typography>
        </li>
      ))}
    </Box>
  );
}

function FeedbackControls(props: { turn: Turn }) {
  const api = useApi(ragChatApiRef);
  const [rating, setRating] = useState(props.turn.rating);
  const [comment, setComment] = useState(props.turn.comment ?? '');
  const [saved, setSaved] = useState(!!props.turn.comment);
  const [error, setError] = useState<Error>();
  const id = props.turn.id!;
  const send = async (r: FeedbackRating, c?: string) => {
    setError(undefined);
    try {
      await api.sendFeedback(id, { rating: r, comment: c || undefined });
      setRating(r);
      setSaved(!!c);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <Stack spacing={1}>
      <Stack direction="row" spacing={1} alignItems="center">
        <Typography variant="body2" color="text.secondary">
          Was this helpful?
        </Typography>
        <Button
          size="small"
          variant={rating === 'up' ? 'contained' : 'outlined'}
          aria-label="Helpful"
          onClick={() => send('up', comment)}
        >
          <Thumb />
        </Button>
        <Button
          size="small"
          variant={rating === 'down' ? 'contained' : 'outlined'}
          aria-label="Not helpful"
          onClick={() => send('down', comment)}
        >
          <Thumb down />
        </Button>
        {rating && !saved && (
          <Typography variant="body2" color="text.secondary">
            Thanks! A comment helps even more:
          </Typography>
        )}
      </Stack>
      {rating && (
        <Stack direction="row" spacing={1} alignItems="center">
          <TextField
            size="small"
            fullWidth
            label="Comment (optional)"
            value={comment}
            onChange={e => {
              setComment(e.target.value);
              setSaved(false);
            }}
          />
          <Button
            size="small"
            disabled={saved || !comment}
            onClick={() => send(rating, comment)}
          >
            {saved ? 'Saved' : 'Save comment'}
          </Button>
        </Stack>
      )}
      {error && <Alert severity="error">{errorTitle(error)}</Alert>}
    </Stack>
  );
}

/** One question with its (streaming) answer, notices, sources and feedback. */
export function MessageView(props: { turn: Turn }) {
  const { turn } = props;
  return (
    <Stack spacing={1} data-testid="turn">
      <Typography variant="subtitle1" fontWeight="bold">
        {turn.question}
      </Typography>
      {turn.notices.map(n => (
        <Alert key={n} severity="info" data-testid="answer-notice">
          {n}
        </Alert>
      ))}
      {turn.answer ? (
        <AnswerText answer={turn.answer} passages={turn.passages} />
      ) : (
        turn.state === 'streaming' && (
          <Typography color="text.secondary">Looking it up…</Typography>
        )
      )}
      {turn.state === 'stopped' && (
        <Typography variant="body2" color="text.secondary">
          (stopped)
        </Typography>
      )}
      {turn.state === 'error' && (
        <Alert severity="error">{turn.error ?? 'The answer failed'}</Alert>
      )}
      <Sources passages={turn.passages} />
      {turn.id &&
        turn.state !== 'streaming' &&
        turn.mode !== 'nothing-found' && <FeedbackControls turn={turn} />}
    </Stack>
  );
}
