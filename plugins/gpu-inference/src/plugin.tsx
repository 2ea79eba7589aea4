import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { MODEL_SERVER_SELECTOR_ANNOTATION } from '@internal/plugin-gpu-inference-common';
import SvgIcon from '@mui/material/SvgIcon';
import { GpuInferenceClient, gpuInferenceApiRef } from './api';
import { rootRouteRef } from './routes';

function GpuIcon() {
  return (
    <SvgIcon>
      <path d="M4 6h16v12H4zM7 9h4v6H7zM13 9h4v6h-4zM2 9h2v2H2zM2 13h2v2H2zM20 9h2v2h-2zM20 13h2v2h-2z" />
    </SvgIcon>
  );
}

export const gpuInferenceApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gpuInferenceApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new GpuInferenceClient({ discoveryApi, fetchApi }),
    }),
});

/** The page at /gpu-inference; its title and icon make it the sidebar's `page:gpu-inference`. */
export const gpuInferencePage = PageBlueprint.make({
  params: {
    path: '/gpu-inference',
    title: 'GPU inference',
    icon: <GpuIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/GpuInferencePage').then(m => <m.GpuInferencePage />),
  },
});

export const modelServerEntityCard = EntityCardBlueprint.make({
  name: 'model-server',
  params: {
    filter: {
      [`metadata.annotations.${MODEL_SERVER_SELECTOR_ANNOTATION}`]: {
        $exists: true,
      },
    },
    loader: () =>
      import('./components/ModelServerCard').then(m => <m.ModelServerCard />),
  },
});

/** GPU inference: the fleet page and the model-server card. */
export const gpuInferencePlugin = createFrontendPlugin({
  pluginId: 'gpu-inference',
  title: 'GPU inference',
  icon: <GpuIcon />,
  routes: { root: rootRouteRef },
  extensions: [gpuInferenceApi, gpuInferencePage, modelServerEntityCard],
});
