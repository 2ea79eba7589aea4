import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 28,
    flexShrink: 0,
  },
});

/**
 * The portal's mark: three stacked layers (the data platform's cluster, streams and
 * models) in the sidebar's accent colour.
 */
export const LogoIcon = () => {
  const classes = useStyles();
  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 32 32"
      role="img"
      aria-hidden="true"
    >
      <path d="M16 3 L29 9.5 L16 16 L3 9.5 Z" fill="#7df3e1" />
      <path
        d="M5.2 14.6 L16 20 L26.8 14.6 L29 15.7 L16 22.2 L3 15.7 Z"
        fill="#7df3e1"
        opacity="0.8"
      />
      <path
        d="M5.2 20.8 L16 26.2 L26.8 20.8 L29 21.9 L16 28.4 L3 21.9 Z"
        fill="#7df3e1"
        opacity="0.6"
      />
    </svg>
  );
};
