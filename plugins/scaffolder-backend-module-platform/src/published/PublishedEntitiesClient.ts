import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError, ResponseError } from '@backstage/errors';
import { PUBLISHED_ENTITIES_PATH } from './constants';

/**
 * The scaffolder side of platform:publish:local: hands a publish to the catalog
 * module (catalogModulePlatformLocalPublish) over HTTP with the scaffolder's service
 * credentials, so that it lands in the catalog's database whichever replica runs the
 * task.
 */
export class PublishedEntitiesClient {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  private async call(path: string, init: RequestInit): Promise<Response> {
    const { discovery, auth } = this.options;
    const baseUrl = await discovery.getBaseUrl('catalog');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'catalog',
    });
    const res = await fetch(`${baseUrl}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
    });
    if (res.status === 409 || res.status === 400) {
      const error = await ResponseError.fromResponse(res);
      throw new InputError(error.body.error.message);
    }
    if (res.status === 404) {
      throw new Error(
        `the catalog has no ${PUBLISHED_ENTITIES_PATH} route: is the platform catalog module (catalogModulePlatformLocalPublish) installed?`,
      );
    }
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }

  /** Withdraws this task's own publish of `name` (nothing of another task's). */
  async withdraw(request: {
    name: string;
    taskId: string;
  }): Promise<{ withdrawn: boolean }> {
    const res = await this.call(
      `${PUBLISHED_ENTITIES_PATH}/${encodeURIComponent(
        request.name,
      )}?taskId=${encodeURIComponent(request.taskId)}`,
      { method: 'DELETE' },
    );
    return (await res.json()) as { withdrawn: boolean };
  }

  async publish(request: {
    name: string;
    taskId: string;
    publishedBy?: string;
    entities: Entity[];
  }): Promise<{ created: boolean }> {
    const res = await this.call(PUBLISHED_ENTITIES_PATH, {
      method: 'POST',
      body: JSON.stringify(request),
    });
    return { created: ((await res.json()) as { created: boolean }).created };
  }
}
