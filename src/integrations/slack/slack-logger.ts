/**
 * Bolt and @slack/web-api log through their own Logger interface; this one hands their lines
 * to Pacer's pino logger so they share its level, format and redaction (the web client
 * already redacts tokens from what it logs at debug).
 */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../core/logger';

function line(args: unknown[]): string {
  return args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
}

export function slackLogger(log: Logger | undefined, name = 'slack'): SlackLogger {
  let target = log?.child({ component: name });
  return {
    debug: (...args) => target?.debug(line(args)),
    info: (...args) => target?.info(line(args)),
    warn: (...args) => target?.warn(line(args)),
    error: (...args) => target?.error(line(args)),
    // Pino's level governs; Bolt asks to set INFO on every App it builds.
    setLevel: () => undefined,
    getLevel: () => (target?.isLevelEnabled('debug') ? LogLevel.DEBUG : target?.isLevelEnabled('info') ? LogLevel.INFO : LogLevel.WARN),
    setName: (n) => {
      target = log?.child({ component: n });
    },
  };
}
