import Grid from '@mui/material/Grid';
import Typography from '@mui/material/Typography';

/** One labelled figure in a grid of four per row (two on small screens). */
export function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Grid item xs={6} md={3}>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="h6">{value}</Typography>
    </Grid>
  );
}
