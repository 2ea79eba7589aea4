import { GpuUse } from '@internal/plugin-gpu-inference-common';
import { EntityLink } from '@internal/platform-react';
import Box from '@mui/material/Box';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';

/** The colour of a utilisation figure: grey idle, green, orange, red busy. */
function heat(util: number) {
  if (util >= 80) return '#d32f2f';
  if (util >= 40) return '#f57c00';
  if (util >= 10) return '#388e3c';
  return '#9e9e9e';
}

/** DCGM figures per GPU and its cluster, with the pod that holds it and its entity and owner. */
export function GpuTable({ gpus }: { gpus: GpuUse[] }) {
  return (
    <Table size="small" aria-label="GPUs">
      <TableHead>
        <TableRow>
          <TableCell>Cluster</TableCell>
          <TableCell>GPU</TableCell>
          <TableCell>Utilisation</TableCell>
          <TableCell>Memory</TableCell>
          <TableCell>Power / temp / SM clock</TableCell>
          <TableCell>XID</TableCell>
          <TableCell>Pod</TableCell>
          <TableCell>Entity / owner</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {gpus.map(g => (
          <TableRow key={`${g.cluster ?? ''}/${g.node}/${g.gpu}`}>
            <TableCell>{g.cluster ?? 'unknown'}</TableCell>
            <TableCell>
              {g.node} #{g.gpu}
              <Typography
                variant="caption"
                display="block"
                color="text.secondary"
              >
                {g.modelName}
              </Typography>
            </TableCell>
            <TableCell>
              <Box
                component="span"
                sx={{
                  display: 'inline-block',
                  width: 12,
                  height: 12,
                  mr: 1,
                  bgcolor: heat(g.utilisation),
                }}
              />
              {g.utilisation.toFixed(0)}%
              {g.utilisationAvg !== undefined &&
                ` (avg ${g.utilisationAvg.toFixed(0)}%)`}
            </TableCell>
            <TableCell>
              {(g.memoryUsedMiB / 1024).toFixed(1)} /{' '}
              {(g.memoryTotalMiB / 1024).toFixed(0)} GiB
            </TableCell>
            <TableCell>
              {g.powerWatts.toFixed(0)} W · {g.temperatureC} °C · {g.smClockMHz}{' '}
              MHz
            </TableCell>
            <TableCell sx={{ color: g.xidErrors ? 'error.main' : undefined }}>
              {g.xidErrors || '—'}
            </TableCell>
            <TableCell>
              {g.pod ? `${g.namespace}/${g.pod}` : 'unallocated'}
            </TableCell>
            <TableCell>
              <EntityLink entityRef={g.entityRef} />
              {g.ownerRef && (
                <Typography variant="caption" display="block">
                  <EntityLink entityRef={g.ownerRef} />
                </Typography>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
