/**
 * The direction of imports (README "Shape"): each folder imports only from those to its right.
 *
 *   src/app → src/http/{api,web} → src/integrations → src/http/kit → src/domain → src/db → src/core
 *   src/app → activities → src/integrations, src/domain, src/db
 *   src/domain → workflows/{ticket,incident,sla,rollout,runtime} → workflows/contract
 *   src/db → workflows/contract (and migrations/)
 *
 * workflows/ imports nothing outside workflows/ at run time (`import type` of the activity
 * factory is how a workflow types its proxies); workflows/contract/ imports only itself.
 * Siblings never import each other: integration ↔ integration, api ↔ web, and domain areas
 * only along the few edges listed in DOMAIN_EDGES. Run by `npm run lint:deps` (part of `npm test`).
 */

/** Domain areas that use another area, and which: one way each, no circles. */
const DOMAIN_EDGES = {
  incidents: ['tickets'],
  tickets: ['settings', 'sla', 'classify'],
  settings: ['sla'],
  search: ['kb'],
  reports: ['sla'],
};

const domainSiblingRules = Object.entries(DOMAIN_EDGES).map(([area, uses]) => ({
  name: `domain-${area}-uses-only-${uses.join('-')}`,
  comment: `src/domain/${area} may use these other areas: ${uses.join(', ')}`,
  severity: 'error',
  from: { path: `^src/domain/${area}/` },
  to: { path: '^src/domain/', pathNot: [`^src/domain/${area}/`, ...uses.map((u) => `^src/domain/${u}/`)] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A circle has no direction: one of its imports runs the wrong way.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contract-imports-only-contract',
      comment: 'workflows/contract/ is what workflows and their callers share; it depends on nothing else of Pacer.',
      severity: 'error',
      from: { path: '^workflows/contract/' },
      to: { path: '^(src|activities|migrations|test|bench|scripts)/|^workflows/(?!contract/)' },
    },
    {
      name: 'workflows-stay-in-workflows',
      comment: 'Workflow code is bundled and replayed: nothing outside workflows/ at run time (import type is fine).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(src|activities|migrations|test|bench|scripts)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-no-node-builtins',
      comment: 'Node built-ins are not deterministic (and not in the workflow sandbox).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-imports-nothing',
      comment: 'src/core/ (principal, links, config, logger, small utilities) imports nothing else of Pacer.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(src/(?!core/)|activities/|workflows/|migrations/)' },
    },
    {
      name: 'db-imports-core-and-contract',
      comment: 'src/db/ imports only src/core/, workflows/contract/ and migrations/.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^(src/(?!db/|core/)|activities/|workflows/(?!contract/))' },
    },
    {
      name: 'domain-below-transport',
      comment: 'src/domain/ imports db, core and workflows: never integrations, HTTP, activities or the app.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^(src/(integrations|http|app)/|activities/)' },
    },
    ...domainSiblingRules,
    {
      name: 'domain-area-not-area',
      comment: 'Any other domain area imports no other area.',
      severity: 'error',
      from: { path: `^src/domain/(?!(?:${Object.keys(DOMAIN_EDGES).join('|')})/)([^/]+)/` },
      to: { path: '^src/domain/', pathNot: '^src/domain/$1/' },
    },
    {
      name: 'integrations-below-activities-and-routers',
      comment: 'An integration imports domain, db, core and src/http/kit (its webhook routes parse and authenticate like the API); never activities, the API or console routers, or the app.',
      severity: 'error',
      from: { path: '^src/integrations/' },
      to: { path: '^(src/(http/(api|web)|app)/|activities/)' },
    },
    {
      name: 'integration-not-integration',
      comment: 'One integration never imports another, nor the registries that list them (only the shared declarations config.ts, integration-deps.ts and env-values.ts).',
      severity: 'error',
      from: { path: '^src/integrations/([^/]+)/' },
      to: { path: '^src/integrations/', pathNot: ['^src/integrations/$1/', '^src/integrations/(config|integration-deps|env-values)\\.ts$'] },
    },
    {
      name: 'http-through-the-registry',
      comment: "The HTTP layer and the app reach integrations only through the registry modules (index.ts, status-mail.ts, open-issue.ts, the shared declarations), never a member's folder.",
      severity: 'error',
      from: { path: '^src/(http|app)/' },
      to: { path: '^src/integrations/[^/]+/' },
    },
    {
      name: 'activities-below-http-and-app',
      comment: 'activities/ imports integrations, domain, db, core and workflows/contract: never HTTP or the app.',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: '^src/(http|app)/' },
    },
    {
      name: 'kit-below-routers',
      comment: 'src/http/kit/ is what api and web share (and integration routes use): it imports neither, nor integrations or activities.',
      severity: 'error',
      from: { path: '^src/http/kit/' },
      to: { path: '^(src/(http/(api|web)|app|integrations)/|activities/)' },
    },
    {
      name: 'api-not-web',
      comment: 'The API and the console never import each other; what both use lives in src/http/kit/.',
      severity: 'error',
      from: { path: '^src/http/api/' },
      to: { path: '^(src/(http/web|app)/|activities/)' },
    },
    {
      name: 'web-not-api',
      comment: 'The console and the API never import each other; what both use lives in src/http/kit/.',
      severity: 'error',
      from: { path: '^src/http/web/' },
      to: { path: '^(src/(http/api|app)/|activities/)' },
    },
    {
      name: 'http-no-sql',
      comment: 'Routes and pages call repositories (src/db/repositories); only src/db builds queries, so src/http never imports kysely (the handle is the Db type of src/db/schema).',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '(^|/)node_modules/kysely/' },
    },
    {
      name: 'product-not-tests',
      comment: 'Product code never imports tests, benchmarks or scripts.',
      severity: 'error',
      from: { path: '^(src|workflows|activities|migrations)/' },
      to: { path: '^(test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // kysely stays in the graph (as a leaf: doNotFollow) so http-no-sql can see who imports it
    exclude: { path: '^node_modules/(?!kysely/)' },
    // type-only imports are dependencies too (a circle of types is still a circle), told apart by dependencyTypes
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
