/** PagerDuty's settings: on with PACER_PAGERDUTY_ROUTING_KEY; its webhook secret may be set alone (acknowledgements from PagerDuty). */
import { z } from 'zod';
import { optionalValue, parseEnv } from '../env-values';

export interface PagerDutyConfig {
  routingKey: string;
  eventsHost: string;
  webhookSecret?: string;
  /** An extra CA (PEM) to trust for eventsHost. Set only by code (the tests' self-signed fake), never from the environment. */
  ca?: string;
}

const schema = z.object({
  PACER_PAGERDUTY_ROUTING_KEY: optionalValue,
  PACER_PAGERDUTY_EVENTS_HOST: z.string().default('events.pagerduty.com'),
  PACER_PAGERDUTY_WEBHOOK_SECRET: optionalValue,
});

export function loadPagerDutyConfig(env: NodeJS.ProcessEnv): { pagerduty?: PagerDutyConfig; pagerdutyWebhookSecret?: string } {
  const e = parseEnv(schema, env);
  return {
    ...(e.PACER_PAGERDUTY_ROUTING_KEY && { pagerduty: { routingKey: e.PACER_PAGERDUTY_ROUTING_KEY, eventsHost: e.PACER_PAGERDUTY_EVENTS_HOST, webhookSecret: e.PACER_PAGERDUTY_WEBHOOK_SECRET } }),
    ...(e.PACER_PAGERDUTY_WEBHOOK_SECRET && { pagerdutyWebhookSecret: e.PACER_PAGERDUTY_WEBHOOK_SECRET }),
  };
}
