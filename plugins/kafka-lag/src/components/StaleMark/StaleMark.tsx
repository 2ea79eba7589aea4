import Typography from '@mui/material/Typography';

/** Marks figures that are the last good ones of a cluster whose latest sampling failed. */
export function StaleMark() {
  return (
    <Typography
      component="span"
      variant="caption"
      color="warning.main"
      title="The latest sampling of this cluster failed: these are its last good figures"
    >
      {' '}
      (stale)
    </Typography>
  );
}
