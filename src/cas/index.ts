export { BottleneckCompatError, checkBottleneckCompat, PINNED_BOTTLENECK_VERSION } from './bottleneck-compat';
export * from './client';
export * from './errors';
export {
  DEFAULT_LIMITER_NAMESPACE,
  LIMITER_UNAVAILABLE_CODE,
  type LimiterConnectionState,
  LimiterStartupError,
} from './redis-limiter';
export * from './types';
