import SvgIcon, { SvgIconProps } from '@mui/material/SvgIcon';

/** Three stacked partitions with a consumer falling behind on the last one. */
export function KafkaLagIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path d="M3 4h18v3H3zM3 10.5h18v3H3zM3 17h11v3H3z" />
      <path d="M17 16.5l4 2-4 2z" />
    </SvgIcon>
  );
}
