/** One pino logger for the process; secrets never reach it (keys are logged by prefix only). */
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string = process.env.PACER_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'pacer' }, redact: ['req.headers.authorization', '*.secret', '*.apiKey'] });
}
