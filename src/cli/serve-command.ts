import type { Config } from '../config';
import type { Logger } from '../ops/logger';
import { createServices } from '../services';

/** `cert-bot serve`: the bot until SIGTERM or SIGINT, then an orderly stop. */
export async function serveCommand(config: Config, logger: Logger): Promise<void> {
  const services = createServices(config, { logger });
  try {
    await services.start();
  } catch (error) {
    await services.stop();
    throw error;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await services.stop();
  logger.info('stopped');
  // Everything the bot owns is closed; a library timer (Socket Mode's reconnect and ping
  // timers) must not keep the process past its termination grace period.
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  process.exit(0);
}
