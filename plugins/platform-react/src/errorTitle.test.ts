import { ResponseError } from '@backstage/errors';
import { errorTitle } from './errorTitle';

describe('errorTitle', () => {
  it("shows a failed request's backend message", async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'ServiceUnavailableError',
          message: 'Cluster eu was never sampled: KafkaJSConnectionError',
        },
        response: { statusCode: 503 },
      }),
      { status: 503, headers: { 'Content-Type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    expect(errorTitle(error)).toBe(
      '503: Cluster eu was never sampled: KafkaJSConnectionError',
    );
  });

  it('keeps other errors as they are', () => {
    expect(errorTitle(new Error('offline'))).toBe('offline');
  });
});
