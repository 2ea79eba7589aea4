import { ReactNode } from 'react';
import Grid from '@mui/material/Grid';
import Typography from '@mui/material/Typography';

/**
 * One labelled figure in a grid of figures: large (a group's headline figures) or compact with
 * an explaining line under it (the autoscaling panel's).
 */
export function Figure(props: {
  label: string;
  children: ReactNode;
  hint?: ReactNode;
  compact?: boolean;
}) {
  return (
    <Grid item xs={6} sm={4} md={props.compact ? 3 : 2}>
      <Typography variant="overline" color="text.secondary" component="div">
        {props.label}
      </Typography>
      <Typography variant={props.compact ? 'body1' : 'h6'} component="div">
        {props.children}
      </Typography>
      {props.hint && (
        <Typography variant="caption" color="text.secondary" component="div">
          {props.hint}
        </Typography>
      )}
    </Grid>
  );
}
