import { useState } from 'react';
import { GpuCapacity, gpuFit } from '@internal/plugin-gpu-inference-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';

/** "Could a pod asking for N GPUs be scheduled now?", answered per node group. */
export function FitCheck({ capacity }: { capacity: GpuCapacity[] }) {
  const [asked, setAsked] = useState('1');
  const gpus = Number(asked);
  const valid = Number.isInteger(gpus) && gpus > 0;
  const fitting = valid
    ? capacity
        .map(c => ({ group: c, fit: gpuFit(c, gpus) }))
        .filter(({ fit }) => fit.fits)
    : [];
  let answer: JSX.Element;
  if (!valid)
    answer = (
      <Alert severity="error">Enter a whole number of GPUs, 1 or more.</Alert>
    );
  else if (fitting.length === 0)
    answer = (
      <Alert severity="warning">
        No: no node has {gpus} GPU{gpus === 1 ? '' : 's'} free now (largest fit{' '}
        {Math.max(0, ...capacity.map(c => c.largestFit))}). The pod would wait
        Pending until GPUs are freed or the node group scales up.
      </Alert>
    );
  else
    answer = (
      <Alert severity="success">
        Yes:{' '}
        {fitting
          .map(
            ({ group, fit }) =>
              `${group.cluster} / ${group.nodeGroup} (${group.gpuModel}) on ${
                fit.nodes
              } node${fit.nodes === 1 ? '' : 's'}, room for ${
                fit.pods
              } such pod${fit.pods === 1 ? '' : 's'}`,
          )
          .join('; ')}
        . GPUs only: CPU, memory and taints are for the scheduler to judge.
      </Alert>
    );
  return (
    <Stack direction="row" spacing={2} alignItems="center" sx={{ mt: 2 }}>
      <TextField
        label="A new pod asking for N GPUs"
        size="small"
        type="number"
        value={asked}
        onChange={e => setAsked(e.target.value)}
        inputProps={{ min: 1, step: 1 }}
        sx={{ width: 240 }}
      />
      <Box sx={{ flex: 1 }}>{answer}</Box>
    </Stack>
  );
}
