/** The routes an express app really has, walked from its router (router 2's listRoutes). */
import type { Express } from 'express';

interface ListedRoute {
  path: string | RegExp;
  methods: string[] | undefined;
  router: Listable | undefined;
}
interface Listable {
  listRoutes(): ListedRoute[];
}

export interface ExpressRoute {
  method: string;
  path: string;
}

const join = (a: string, b: string) => (a + (b === '/' ? '' : b)).replace(/\/+/g, '/') || '/';

/** Every (method, full path) registered on the app; the automatic HEAD of a GET is left out. */
export function expressRoutes(app: Express): ExpressRoute[] {
  const out: ExpressRoute[] = [];
  const walk = (router: Listable, prefix: string) => {
    for (const r of router.listRoutes()) {
      if (typeof r.path !== 'string') throw new Error(`a route with a RegExp path under ${prefix}: list it by hand`);
      const path = join(prefix, r.path);
      if (r.router) walk(r.router, path);
      for (const m of r.methods ?? []) {
        if (m === 'HEAD' && r.methods!.includes('GET')) continue;
        out.push({ method: m.toLowerCase(), path });
      }
    }
  };
  walk((app as unknown as { router: Listable }).router, '');
  return out;
}
