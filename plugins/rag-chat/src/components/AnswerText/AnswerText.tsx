import { Fragment } from 'react';
import { Link } from '@backstage/core-components';
import { Passage, splitCitations } from '@internal/plugin-rag-chat-common';
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';

/** The passage's name as a citation tooltip and source-list entry shows it. */
export function passageName(p: Passage): string {
  return p.heading ? `${p.title} › ${p.heading}` : p.title;
}

/**
 * An answer's text with each [n] citation turned into a link to the passage's
 * source (an entity page or the doc section).
 */
export function AnswerText(props: { answer: string; passages: Passage[] }) {
  const { answer, passages } = props;
  const segments = splitCitations(answer, passages.length);
  return (
    <Box component="div" sx={{ whiteSpace: 'pre-wrap' }} data-testid="answer">
      {segments.map((s, i) => {
        if (s.type === 'text') return <Fragment key={i}>{s.text}</Fragment>;
        const passage = passages.find(p => p.n === s.n)!;
        return (
          <Tooltip key={i} title={passageName(passage)}>
            <span>
              <Link
                to={passage.url}
                aria-label={`Source ${s.n}: ${passageName(passage)}`}
              >
                [{s.n}]
              </Link>
            </span>
          </Tooltip>
        );
      })}
    </Box>
  );
}
