// The server's layering, checked by `npm run check:layers` (CI runs it). See README "Project layout".
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules of the server form no import cycle.',
      severity: 'error',
      from: { path: '^server/' },
      to: { circular: true },
    },
    {
      name: 'protocol-imports-nothing-of-ours',
      comment: 'protocol/ is shared with client/ and tests: it imports only its own files.',
      severity: 'error',
      from: { path: '^server/protocol/' },
      to: { path: '^(server|client)/', pathNot: '^server/protocol/' },
    },
    {
      name: 'core-knows-no-transport',
      comment: 'core/ imports only protocol/, the store interface, the logger type and the clock: no Socket.IO, express, SQL or Redis.',
      severity: 'error',
      from: { path: '^server/core/' },
      to: { path: '^server/', pathNot: '^server/(core/|protocol/|store/store\\.ts$|logger\\.ts$|clock\\.ts$)' },
    },
    {
      name: 'core-no-frameworks',
      severity: 'error',
      from: { path: '^server/core/' },
      to: { dependencyTypes: ['npm'], path: 'node_modules/(socket\\.io|express|express-session|pg|ioredis|@socket\\.io)' },
    },
    {
      name: 'store-knows-no-transport',
      comment: 'store/ serves every engine and every caller: it imports no realtime/, http/, cluster/ or core/, and no protocol errors (it returns result unions).',
      severity: 'error',
      from: { path: '^server/store/' },
      to: { path: '^server/(realtime|http|cluster|core|edge)/|^server/protocol/errors\\.ts$' },
    },
    {
      name: 'realtime-and-http-apart',
      comment: 'realtime/ and http/ do not import each other; what both need lives in edge/.',
      severity: 'error',
      from: { path: '^server/realtime/' },
      to: { path: '^server/http/' },
    },
    {
      name: 'http-and-realtime-apart',
      severity: 'error',
      from: { path: '^server/http/' },
      to: { path: '^server/realtime/' },
    },
    {
      name: 'edge-is-shared',
      comment: 'edge/ (validation, origins, per-address limits) is used by both transports and imports neither.',
      severity: 'error',
      from: { path: '^server/edge/' },
      to: { path: '^server/(realtime|http|cluster|store/(sqlite|postgres))/' },
    },
    {
      name: 'cluster-internals-main-only',
      comment: 'Only main.ts opens the cluster; everyone else knows the Cluster interface (cluster/cluster.ts).',
      severity: 'error',
      from: { path: '^server/', pathNot: '^server/(main\\.ts$|cluster/)' },
      to: { path: '^server/cluster/', pathNot: '^server/cluster/cluster\\.ts$' },
    },
    {
      name: 'cluster-is-a-plugin',
      comment: 'cluster/ implements the Cluster interface against Socket.IO and Redis; it does not reach into the transports.',
      severity: 'error',
      from: { path: '^server/cluster/' },
      to: { path: '^server/(realtime|http)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
