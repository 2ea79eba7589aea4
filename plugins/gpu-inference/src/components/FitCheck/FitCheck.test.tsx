import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { fleet } from '../../testing/fixtures';
import { FitCheck } from './FitCheck';

describe('FitCheck', () => {
  it('answers whether a pod asking for N GPUs could be scheduled now', async () => {
    await renderInTestApp(<FitCheck capacity={fleet().capacity} />);
    const input = await screen.findByLabelText('A new pod asking for N GPUs');
    expect(
      screen.getByText(
        /eks \/ gpu-a10g \(NVIDIA-A10G\) on 2 nodes, room for 7 such pods/,
      ),
    ).toBeInTheDocument();
    fireEvent.change(input, { target: { value: '4' } });
    expect(
      screen.getByText(/on 1 node, room for 1 such pod\b/),
    ).toBeInTheDocument();
    fireEvent.change(input, { target: { value: '5' } });
    expect(
      screen.getByText(/No: no node has 5 GPUs free now \(largest fit 4\)/),
    ).toBeInTheDocument();
    fireEvent.change(input, { target: { value: '0' } });
    expect(
      screen.getByText(/Enter a whole number of GPUs/),
    ).toBeInTheDocument();
  });
});
