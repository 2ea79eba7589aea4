import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { makeStyles } from '@material-ui/core';
import { LogoIcon } from './LogoIcon';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    gap: 10,
    color: '#ffffff',
  },
  title: {
    fontSize: 17,
    fontWeight: 700,
    lineHeight: 1.1,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    // The logo's link is only as wide as the closed sidebar: the name overflows it, up to
    // what the open sidebar has room for.
    flexShrink: 0,
    maxWidth: 156,
  },
});

/** The portal's mark and its name (`app.title` in app-config.yaml). */
export const LogoFull = () => {
  const classes = useStyles();
  const title =
    useApi(configApiRef).getOptionalString('app.title') ?? 'Platform portal';
  return (
    <span className={classes.root}>
      <LogoIcon />
      <span className={classes.title} title={title}>
        {title}
      </span>
    </span>
  );
};
