/**
 * Times every request into pacer_http_request_duration_seconds by the express route pattern
 * that handled it (`/api/v1/tickets/:id`, never the raw path, so ids cannot grow the series),
 * and keeps what the request's log lines should carry: the route, and the ticket or incident
 * (with its workflow id) that a route parameter named.
 */
import type { Request, RequestHandler } from 'express';
import { httpRequestDuration } from '../../core/metrics';
import type { LogFields } from '../../core/log-context';
import { ticketWorkflowId } from '../../../workflows/contract/ticket';
import { incidentWorkflowId } from '../../../workflows/contract/incident';

interface Observed {
  route: string | null;
  fields: LogFields;
}

const observed = new WeakMap<Request, Observed>();

/** What no route matched (404s, refused before routing) is one series. */
const UNMATCHED = 'unmatched';

/** A router's own root ('/' under /api/v1/tickets) is its mount path, as a client writes it. */
function patternOf(baseUrl: string, path: string): string {
  return baseUrl !== '' && path === '/' ? baseUrl : `${baseUrl}${path}`;
}

export function observeRequests(): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const seen: Observed = { route: null, fields: {} };
    observed.set(req, seen);
    // The router sets req.route on each route it dispatches to, with req.baseUrl at that router's mount: both are read then,
    // since a router that hands an error on restores baseUrl before the error handler answers.
    let route: unknown;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (value: { path?: unknown } | undefined) => {
        route = value;
        if (value && value.path !== undefined) seen.route = patternOf(req.baseUrl, String(value.path));
      },
    });
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      httpRequestDuration.observe({ method: req.method, route: seen.route ?? UNMATCHED, status: String(res.statusCode) }, seconds);
    });
    next();
  };
}

/** A router's `param('id', …)` for routes whose :id is a ticket or an incident: their log lines name it and its workflow. */
export function logSubject(kind: 'ticket' | 'incident'): (req: Request, res: unknown, next: () => void, id: string) => void {
  return (req, _res, next, id) => {
    const seen = observed.get(req);
    if (seen) Object.assign(seen.fields, kind === 'ticket' ? { ticketId: id, workflowId: ticketWorkflowId(id) } : { incidentId: id, workflowId: incidentWorkflowId(id) });
    next();
  };
}

/** The fields a log line about this request carries. */
export function requestLogFields(req: Request): LogFields {
  const seen = observed.get(req);
  return { method: req.method, ...(seen?.route && { route: seen.route }), ...seen?.fields };
}
