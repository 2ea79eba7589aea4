import SvgIcon from '@mui/material/SvgIcon';

/** A speech bubble. */
export function RagChatIcon() {
  return (
    <SvgIcon fontSize="inherit">
      <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 5v2h10V9H7zm0 4v2h7v-2H7z" />
    </SvgIcon>
  );
}
