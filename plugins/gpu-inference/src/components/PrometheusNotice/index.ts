export { PrometheusNotice } from './PrometheusNotice';
