import { WastedGpu } from '@internal/plugin-gpu-inference-common';
import { EntityLink } from '@internal/platform-react';
import Typography from '@mui/material/Typography';

/** GPUs held by a pod but idle: how idle, the GPU-hours wasted, and whose they are. */
export function IdleGpus({ waste }: { waste: WastedGpu[] }) {
  if (waste.length === 0)
    return <Typography>No allocated GPU is idle.</Typography>;
  return (
    <>
      {waste.map(g => (
        <Typography key={`${g.cluster ?? ''}/${g.node}/${g.gpu}`}>
          {g.cluster ? `${g.cluster}: ` : ''}
          {g.node} #{g.gpu} ({g.namespace}/{g.pod}):{' '}
          {(g.utilisationAvg ?? g.utilisation).toFixed(0)}% — {g.gpuHoursWasted}{' '}
          GPU-hours wasted —{' '}
          {g.entityRef ? <EntityLink entityRef={g.entityRef} /> : 'no entity'}
          {g.ownerRef ? `, owner ${g.ownerRef}` : ''}
        </Typography>
      ))}
    </>
  );
}
