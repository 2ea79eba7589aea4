import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { errorTitle } from '@internal/platform-react';

/** A panel's body: its error (with the backend's message), a spinner, or its value rendered. */
export function Panel<T>({
  state,
  children,
}: {
  state: { loading: boolean; error?: Error; value?: T };
  children: (value: T) => JSX.Element;
}) {
  if (state.error)
    return (
      <ResponseErrorPanel error={state.error} title={errorTitle(state.error)} />
    );
  if (state.value === undefined) return <Progress />;
  return children(state.value);
}
